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
        .library(name: "SSCardPrinter", targets: ["SSCardPrinter"]),
        .library(name: "SSCardSimulator", targets: ["SSCardSimulator", "ProvinceSimulator"]),
        .executable(name: "issue-station", targets: ["issue-station"]),
        .executable(name: "sscard-bench", targets: ["sscard-bench"]),
        // Preloaded into the private pcscd of tests and demo: vpcd's ports bind to loopback only.
        .library(name: "sscard-vpcd-loopback", type: .dynamic, targets: ["VPCDLoopback"]),
        // The process `issue-station conformance` calls a driver library in; ships beside issue-station.
        .executable(name: "sscard-conformance-probe", targets: ["sscard-conformance-probe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The browser bridge's HTTP/WebSocket server (the web desk reuses it).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // Levelled, masked logs (stderr → journald) and the desk's metrics (docs/technician.md).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // The outlet's shared stock and ledger in PostgreSQL (docs/outlet.md).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
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
            name: "CLibSSL", path: "Sources/CLibSSL",
            pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),

        .systemLibrary(
            name: "CFreeType", path: "Sources/CFreeType",
            pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        .systemLibrary(
            name: "CCairo", path: "Sources/CCairo",
            pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
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

        // ── Production libraries: none of them imports a simulator. ──

        // Stream sockets over Glibc: one wrapper per C call (EINTR retried, errno kept in
        // `SocketError`), addresses, a connected socket with deadlines, a listener and the one
        // accept loop. Every socket in the package goes through it.
        .target(name: "Sockets"),

        // A child process spoken to in lines over its standard input and output, each answer
        // awaited with a deadline: the conformance tester's probe, the benchmark's Pillow script.
        .target(name: "ChildProcess"),

        // The reader driver: PC/SC, APDUs, the 3.0 card, SM crypto, the national interface, and
        // the printer mechanics protocol. A reader-only integrator needs nothing else.
        .target(name: "SSCardDriver", dependencies: ["CPCSCShim", "CPCSCLite", "COpenSSL", .product(name: "Logging", package: "swift-log")]),

        // The card printer: card-face renderer (FreeType font chain, JPEG photo, PNG), the Evolis
        // Escape protocol, USB and socket transports, and iPrint on top of them.
        .target(name: "SSCardPrinter", dependencies: ["SSCardDriver", "Sockets", "CFreeType", "CJPEG", "CPNG", "CLibUSB"]),

        // The province card-management system as the desk sees it: the contract, the application
        // it hands out, the HTTP client (TLS over libssl, signed requests), and the security
        // module that reaches its HSM.
        .target(name: "CardManagement", dependencies: ["SSCardDriver", "Sockets", "CLibSSL"]),

        // The counter's papers (handover receipt, 受理回执, daily report): PDFs drawn with cairo
        // and the card face's FreeType font chain, printed through CUPS (`lp`) or filed privately.
        .target(name: "CounterDocuments", dependencies: ["SSCardDriver", "SSCardPrinter", "CCairo", "CFreeType"]),

        // The station: applications, inventory, journal, workflow, recovery, ledger, the counter.
        .target(
            name: "InstantIssue",
            dependencies: ["SSCardDriver", "SSCardPrinter", "CardManagement", "CounterDocuments", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "GRDBSQLite", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")]),

        // Operations: the masking log handler every program logs through, and the desk's metrics
        // in the Prometheus text format with the `GET /metrics` route any Hummingbird server adds.
        .target(
            name: "StationOperations",
            dependencies: [
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),

        // The outlet's books in PostgreSQL: stock, reservations, moves and the ledger shared by the
        // desks of an outlet, many outlets in one database under row-level security.
        .target(
            name: "OutletStorage",
            dependencies: ["InstantIssue", "SSCardDriver", "CounterDocuments",
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log")]),

        // The composition root: configuration → concrete parts (security module, printer,
        // card-management system). Simulated parts come in through `DeskSimulation`.
        .target(name: "DeskAssembly", dependencies: ["SSCardDriver", "SSCardPrinter", "CardManagement"]),

        // The public C header, checked against the Swift implementation by `@c @implementation`.
        .target(name: "CSSCardDriverABI", path: "include", publicHeadersPath: "."),
        .target(
            name: "SSCardDriverABI",
            dependencies: ["SSCardDriver", "SSCardPrinter", "DeskAssembly", "CSSCardDriverABI"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-soname=libSSCardDriver.so.1"])]),

        // The browser bridge: the vendors' `function` JSON dialect over a loopback WebSocket, with
        // origin, token, rate and PIN-field guards, HSM steps bound to their connection and one
        // card operation per reader. The same server stack serves the web desk.
        .target(
            name: "BrowserBridge",
            dependencies: [
                "SSCardDriver", "SSCardPrinter", "Sockets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ]),

        // The clerk's web desk (`issue-station serve`): the station's pages on the same server
        // stack, sign-in with clerk accounts in the station database, CSRF and Origin checks.
        .target(
            name: "WebDesk",
            dependencies: [
                "InstantIssue", "CardManagement", "SSCardDriver", "SSCardPrinter", "COpenSSL",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),

        // ── Simulation: for tests, the demo and technicians; named as simulators. ──

        // The 3.0 card and its vpcd connector, the virtual printer, the HSM and the CA.
        .target(name: "SSCardSimulator", dependencies: ["SSCardDriver", "SSCardPrinter", "Sockets"]),
        // bind(2) for LD_PRELOAD into the private pcscd (libsscard-vpcd-loopback.so): vpcd binds
        // its card ports to every interface; this makes them loopback-only. Linked by nothing.
        .target(name: "VPCDLoopback"),
        // The province card-management system: embedded, its store, its HTTP server and faults.
        .target(
            name: "ProvinceSimulator",
            dependencies: ["CardManagement", "SSCardSimulator", "SSCardPrinter", "Sockets", "CLibSSL", .product(name: "GRDB", package: "GRDB.swift")]),
        // The simulated parts a desk is assembled with when its configuration asks for them.
        .target(
            name: "SimulatedDesk",
            dependencies: ["DeskAssembly", "InstantIssue", "SSCardDriver", "SSCardSimulator", "ProvinceSimulator"]),

        // The conformance tester of `issue-station conformance`: any SSCardDriver library against
        // simulated cards in the states each case needs, the province HSM and the virtual printer.
        .target(name: "Conformance", dependencies: ["SSCardDriver", "CardManagement", "SSCardSimulator", "ProvinceSimulator", "ChildProcess"]),

        // ── Programs ──
        // dlopen()s the library under test and calls it, so a crash or hang is a failed case.
        .executableTarget(name: "sscard-conformance-probe", dependencies: ["CSSCardDriverABI"], path: "Sources/ConformanceProbe"),
        .executableTarget(
            name: "issue-station",
            dependencies: [
                "SSCardDriver", "SSCardPrinter", "CardManagement", "InstantIssue", "DeskAssembly", "CounterDocuments",
                "SSCardSimulator", "ProvinceSimulator", "SimulatedDesk", "BrowserBridge", "Conformance", "StationOperations", "WebDesk", "OutletStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .executableTarget(
            name: "sscard-bench",
            dependencies: ["SSCardDriver", "SSCardPrinter", "CardManagement", "InstantIssue", "DeskAssembly",
                           "SSCardSimulator", "ProvinceSimulator", "SimulatedDesk", "BrowserBridge", "WebDesk", "Sockets", "CPCSCLite", "CPCSCShim",
                           "StationOperations", "OutletStorage", "ChildProcess", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "SocketsTests", dependencies: ["Sockets"]),
        .testTarget(name: "ChildProcessTests", dependencies: ["ChildProcess"]),
        .testTarget(name: "SSCardDriverTests", dependencies: ["SSCardDriver", "SSCardPrinter", "Sockets"]),
        .testTarget(
            name: "InstantIssueTests",
            dependencies: ["InstantIssue", "CardManagement", "SSCardDriver", "SSCardPrinter", "DeskAssembly", "Sockets", "CounterDocuments",
                           "SSCardSimulator", "ProvinceSimulator", "SimulatedDesk",
                           .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SSCardDriverABITests", dependencies: ["SSCardDriverABI", "CSSCardDriverABI", "SSCardDriver"]),
        .testTarget(name: "SSCardSimulatorTests", dependencies: ["SSCardSimulator", "SSCardDriver", "SSCardPrinter",
                                                        .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "WebDeskTests", dependencies: ["WebDesk", "InstantIssue", "CardManagement"]),
        .testTarget(name: "BridgeTests", dependencies: ["BrowserBridge", "SSCardDriver", "SSCardPrinter", "SSCardSimulator", "Sockets"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["SSCardSimulator", "SSCardDriver", "SSCardPrinter", "CardManagement", "InstantIssue", "CounterDocuments",
                           "DeskAssembly", "ProvinceSimulator", "SimulatedDesk", "Sockets", "BrowserBridge", "Conformance", "WebDesk",
                           "StationOperations", "OutletStorage", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")]),
    ],
    swiftLanguageModes: [.v6]
)
