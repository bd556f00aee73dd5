// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
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
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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
        // The AWS operations as typed functions: key model and rules, key store, MAC operations.
        .target(
            name: "PayCryptService",
            dependencies: ["PaymentCryptography", "PayCryptModel"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "paycrypt",
            dependencies: [
                "PaymentCryptography",
                "PayCryptModel",
                "PayCryptService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PaymentCryptographyTests",
            dependencies: ["PaymentCryptography"],
            resources: [.copy("Fixtures")],
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
