// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The service and the server: their nonisolated async functions run on their caller's executor
/// (SE-0461) instead of switching to the generic one on entry, a switch that reads the journey
/// task's executor preference under a lock (README "Performance": the connection's fast path).
/// It changes those functions' calling convention: after turning it on or off, build clean, as
/// SwiftPM does not recompile the modules that call them.
let callerExecutor: [SwiftSetting] = strict + [
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "paycrypt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PaymentCryptography", targets: ["PaymentCryptography"]),
        .executable(name: "paycrypt", targets: ["paycrypt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.26.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Pure algorithms: bytes in, bytes out. No I/O, no JSON, no AWS.
        .target(
            name: "PaymentCryptography",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Wire shapes and validation of both AWS services, generated from botocore's models
        // by scripts/generate_model.py. Do not edit Generated/ by hand.
        .target(
            name: "PayCryptModel",
            swiftSettings: strict
        ),
        // Durable keys, aliases and import tokens behind the KeyStore protocol (SQLite by default),
        // with key material sealed under the master key.
        .target(
            name: "PayCryptStore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The AWS operations as typed functions: key model and rules, key store, MAC operations.
        .target(
            name: "PayCryptService",
            dependencies: [
                "PaymentCryptography",
                "PayCryptModel",
                "PayCryptStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: callerExecutor
        ),
        // HTTP only: the two AWS wire protocols on one port, errors, request ids.
        .target(
            name: "PayCryptServer",
            dependencies: [
                "PaymentCryptography",
                "PayCryptService",
                "PayCryptModel",
                "PayCryptStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: callerExecutor
        ),
        // One system call the C library here does not wrap (sched_setattr, see SchedulerSlice.swift).
        .target(name: "CPayCryptSystem"),
        .executableTarget(
            name: "paycrypt",
            dependencies: [
                "PaymentCryptography",
                "PayCryptModel",
                "PayCryptService",
                "PayCryptServer",
                "PayCryptStore",
                "CPayCryptSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PaymentCryptographyTests",
            dependencies: ["PaymentCryptography", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PayCryptStoreTests",
            dependencies: [
                "PayCryptStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PayCryptServiceTests",
            dependencies: [
                "PayCryptService", "PayCryptStore", "PaymentCryptography", "PayCryptModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            exclude: ["Import/make_oaep_vectors.py", "TR34/make_tr34_vectors.py", "TR34/tr34_vectors.json"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PayCryptServerTests",
            dependencies: [
                "PayCryptServer", "PayCryptService", "PayCryptModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["make_sigv4_vectors.py", "sigv4_vectors.json"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PayCryptModelTests",
            dependencies: ["PayCryptModel"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
