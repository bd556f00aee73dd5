import Testing
@testable import PaymentCryptography

/// The start-up known-answer tests (`SelfTest`): one published vector per algorithm family.
@Suite("Self-test at start")
struct SelfTestTests {
    @Test("Every known-answer test passes on this build")
    func passes() {
        #expect(SelfTest.run() == [])
        #expect(SelfTest.results().allSatisfy { $0.passed })
    }

    @Test("One test per family, each named once, in a fixed order")
    func families() {
        #expect(SelfTest.names == [
            "DES (FIPS 81)",
            "TDES 2-key (SP 800-67)",
            "TDES 3-key (SP 800-67 B.1)",
            "ISO 9797-1 MAC algorithm 1 (Annex B)",
            "ISO 9797-1 MAC algorithm 3 (Annex B)",
            "TDES-CMAC (SP 800-38B)",
            "AES-CMAC (SP 800-38B)",
            "HMAC-SHA224 (RFC 4231 TC1)",
            "HMAC-SHA256 (RFC 4231 TC1)",
            "HMAC-SHA384 (RFC 4231 TC1)",
            "HMAC-SHA512 (RFC 4231 TC1)",
            "KCV (ANSI X9.24 and CMAC)",
            "TDES DUKPT (X9.24-1)",
            "AES DUKPT (X9.24-3)",
            "EMV (pyemv HSM vector)",
        ])
        #expect(Set(SelfTest.names).count == SelfTest.names.count)
        #expect(SelfTest.results().map(\.name) == SelfTest.names)
    }

    @Test("A wrong answer and a thrown error both fail, and the failure carries the name only")
    func failuresAreReported() {
        struct Boom: Error {}
        let outcomes = SelfTest.results(of: [
            SelfTest.Case(name: "right") { true },
            SelfTest.Case(name: "wrong") { false },
            SelfTest.Case(name: "throws") { throw Boom() },
        ])
        #expect(outcomes.map(\.passed) == [true, false, false])
        let failure = SelfTest.Failure(name: "wrong")
        #expect(failure.description == "wrong")
        #expect("\(failure)" == "wrong")
    }
}
