import ArgumentParser
import PaymentCryptography

/// `paycrypt self-test`: runs the start-up known-answer tests (one per algorithm family) and
/// prints one line per family. Exits 0 when every test passes, 1 otherwise.
struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-test",
        abstract: "Run the known-answer tests of every algorithm family (DES, TDES, MACs, HMAC, KCV, DUKPT, EMV)."
    )

    func run() throws {
        let outcomes = SelfTest.results()
        for outcome in outcomes {
            print("\(outcome.passed ? "ok    " : "FAILED") \(outcome.name)")
        }
        if outcomes.contains(where: { !$0.passed }) {
            throw ExitCode(ExitStatus.refused)
        }
    }
}
