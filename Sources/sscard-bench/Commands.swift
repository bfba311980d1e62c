import ArgumentParser

/// The benchmark program: one subcommand per benchmark. A new benchmark is a struct with
/// `run()` (in its own file) and one subcommand here.
struct SSCardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sscard-bench",
        abstract: "Figures for the hot paths of the desk (printed, or --json); never asserted.",
        subcommands: [APDUCommand.self, InterfaceCommand.self, RenderCommand.self, IPrintCommand.self,
                      StationCommand.self, WireCommand.self, BridgeCommand.self, ImportCommand.self, DeskCommand.self, StorageCommand.self])
}

/// How many runs a timing benchmark makes.
struct CountOptions: ParsableArguments {
    @Option(help: "How many runs to time (at least 1; each benchmark has its own default).")
    var count: Int?

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
    }

    /// `--count`, or the benchmark's own default.
    func count(default value: Int) -> Int { count ?? value }
}

/// Text or JSON: every benchmark takes it.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Write every figure as one JSON object on standard output (text goes to standard error).")
    var json = false

    /// Runs `body` with the report in text or JSON mode and writes the JSON at the end.
    func run(_ benchmark: String, _ body: () throws -> Void) throws {
        report.start(json: json)
        try body()
        try report.finish(benchmark: benchmark)
    }
}

/// For benchmarks that start a private pcscd unless told to use the running one.
struct PCSCDOptions: ParsableArguments {
    @Flag(name: .customLong("use-running-pcscd"), help: "Use the pcscd already running (with vpcd) instead of starting a private one.")
    var useRunning = false
}

struct APDUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apdu", abstract: "APDU round trip of SELECT SSSE: through pcscd + vpcd, in process, and a raw C loop.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var pcscd: PCSCDOptions
    func run() throws {
        // 5,000: with 1,000 the ratio of the medians moved between 1.00 and 1.31 from run to
        // run on one host (the scheduler's placement of pcscd and vpcd); 5,000 held 1.02–1.04.
        try output.run("apdu") { try APDUBenchmark(count: options.count(default: 5000), useRunningPCSCD: pcscd.useRunning).run() }
    }
}

struct InterfaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interface", abstract: "iReadCardBas end to end through pcscd + vpcd with the simulated HSM.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var pcscd: PCSCDOptions
    func run() throws {
        try output.run("interface") { try InterfaceBenchmark(count: options.count(default: 1000), useRunningPCSCD: pcscd.useRunning).run() }
    }
}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Card-face render on the province reference layout.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    func run() throws {
        try output.run("render") { try RenderBenchmark(count: options.count(default: 200)).run() }
    }
}

struct IPrintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "iprint", abstract: "iPrint through Escape to the virtual printer.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    func run() throws {
        try output.run("iprint") { try IPrintBenchmark(count: options.count(default: 200)).run() }
    }
}

struct StationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "Issuance end to end (chip in process and through pcscd + vpcd), YZKCG import, journal entry.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var pcscd: PCSCDOptions
    func run() throws {
        try output.run("station") { try StationBenchmark(count: options.count(default: 100), useRunningPCSCD: pcscd.useRunning).run() }
    }
}

struct WireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "APDUs and bytes of one issuance and of iReadCardBas, and the wire time they imply on a real reader.")
    @OptionGroup var output: OutputOptions
    @Flag(help: "Also list every APDU of the issuance (secret data hidden).")
    var sequence = false
    func run() throws {
        try output.run("wire") { try WireBenchmark(listSequence: sequence).run() }
    }
}

struct BridgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge", abstract: "iReadCardBas through the browser bridge next to the same call on the driver directly.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var pcscd: PCSCDOptions
    func run() throws {
        try output.run("bridge") { try BridgeBenchmark(count: options.count(default: 1000), useRunningPCSCD: pcscd.useRunning).run() }
    }
}

struct StorageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "The outlet's books on SQLite and PostgreSQL side by side: reservations/s (1 and 3 desks), 100,000-row import.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Reservations per desk (default 300).") var reservations: Int = 300
    func run() throws {
        guard (1...100_000).contains(reservations) else { throw ValidationError("--reservations is 1–100000") }
        try output.run("storage") { try StorageBenchmark(count: options.count(default: 3), reservations: reservations).run() }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "A 100,000-row YZKCG return file imported into a fresh station database.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    func run() throws {
        try output.run("import") { try ImportBenchmark(count: options.count(default: 5)).run() }
    }
}

struct DeskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desk", abstract: "The web desk: the queue page with 10,000 applications and a progress update, server time.")
    @OptionGroup var options: CountOptions
    @OptionGroup var output: OutputOptions
    func run() throws {
        try output.run("desk") { try DeskBenchmark(count: options.count(default: 200)).run() }
    }
}
