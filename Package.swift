// swift-tools-version:6.1
// The social security card (三代卡) instant-issuance desk: reader driver, printer backend, station.
import PackageDescription

let package = Package(
    name: "SSCard",
    products: [
        // The Swift API of the driver.
        .library(name: "SSCardDriverSwift", targets: ["SSCardDriver"]),
        // The C ABI for existing callers: libSSCardDriver.so (SONAME libSSCardDriver.so.1)
        // with the public header include/SSCardDriver.h.
        .library(name: "SSCardDriver", type: .dynamic, targets: ["SSCardDriverABI"]),
        .library(name: "SSCardSimulator", targets: ["SSCardSimulator"]),
        .executable(name: "issue-station", targets: ["issue-station"]),
        .executable(name: "sscard-bench", targets: ["sscard-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries, one module map each; pkg-config supplies the flags.
        .systemLibrary(
            name: "CPCSCLite", path: "Sources/CPCSCLite",
            pkgConfig: "libpcsclite", providers: [.apt(["libpcsclite-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL",
            pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        .systemLibrary(
            name: "CFreeType", path: "Sources/CFreeType",
            pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        .systemLibrary(
            name: "CJPEG", path: "Sources/CJPEG",
            pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG",
            pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CLibUSB", path: "Sources/CLibUSB",
            pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),

        // Prefixed C helpers over pcsc-lite for what Swift cannot import (macros, part-10 TLVs).
        .target(name: "CPCSCShim", dependencies: ["CPCSCLite"]),

        // The driver: PC/SC, APDUs, the 3.0 card, SM crypto.
        .target(
            name: "SSCardDriver",
            dependencies: ["CPCSCShim", "CPCSCLite", "COpenSSL", "CFreeType", "CJPEG", "CPNG", "CLibUSB"]),

        // The public C header, checked against the Swift implementation by `@c @implementation`.
        .target(name: "CSSCardDriverABI", path: "include", publicHeadersPath: "."),
        .target(
            name: "SSCardDriverABI",
            dependencies: ["SSCardDriver", "SSCardSimulator", "CSSCardDriverABI"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-soname=libSSCardDriver.so.1"])]),

        // Simulators: the 3.0 card and its vpcd connector.
        .target(name: "SSCardSimulator", dependencies: ["SSCardDriver"]),

        // The station: applications, inventory, journal, workflow, recovery, ledger, and the
        // card-management system (HTTP client, or the embedded simulator by default).
        .target(
            name: "InstantIssue",
            dependencies: ["SSCardDriver", "SSCardSimulator", .product(name: "GRDB", package: "GRDB.swift")]),

        .executableTarget(
            name: "issue-station",
            dependencies: [
                "SSCardDriver", "SSCardSimulator", "InstantIssue",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "sscard-bench",
            dependencies: ["SSCardDriver", "SSCardSimulator", "InstantIssue"]),

        .testTarget(name: "SSCardDriverTests", dependencies: ["SSCardDriver"]),
        .testTarget(
            name: "InstantIssueTests",
            dependencies: ["InstantIssue", "SSCardDriver", "SSCardSimulator", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SSCardDriverABITests", dependencies: ["SSCardDriverABI", "CSSCardDriverABI", "SSCardDriver"]),
        .testTarget(name: "SSCardSimulatorTests", dependencies: ["SSCardSimulator", "SSCardDriver"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["SSCardSimulator", "SSCardDriver", "InstantIssue"]),
    ],
    swiftLanguageModes: [.v6]
)
