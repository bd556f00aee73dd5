import ArgumentParser

/// The `paycrypt` command: the server, and offline calculators that speak the AWS API's vocabulary.
@main
struct Paycrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paycrypt",
        abstract: "An AWS Payment Cryptography compatible service and offline calculator.",
        subcommands: [Serve.self, OfflineCommand.self, Mac.self, KCV.self, ISO9797.self, HMACCommand.self, Bench.self, BenchStore.self, BenchRequest.self, SelfTestCommand.self, AuditCommand.self, KeyBlockCommand.self, StoreCommand.self]
    )
}
