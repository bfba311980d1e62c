import ArgumentParser
import Dispatch
import Foundation
import Glibc
import SSCardSimulator

/// `issue-station vcard`: a simulated card in pcscd's virtual reader, for technicians and demos.
struct VCardCommand: VirtualDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "vcard",
        abstract: Messages.vcardAbstract,
        discussion: Messages.vcardDiscussion)

    @OptionGroup var lang: LanguageOption

    @Option(help: ArgumentHelp(Messages.cardHelp, valueName: "file"))
    var card: String?

    @Option(help: ArgumentHelp(Messages.hostHelp, valueName: "host"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp(Messages.portHelp, valueName: "port"))
    var port: UInt16?

    @Option(help: ArgumentHelp(Messages.slotHelp, valueName: "slot"))
    var slot: Int?

    @Flag(help: ArgumentHelp(Messages.quietHelp))
    var quiet = false

    func validate() throws {
        if port != nil && slot != nil { throw ValidationError(Messages.portAndSlot) }
        if let slot, !(0..<VPCDFraming.slotCount).contains(slot) { throw ValidationError(Messages.slotRange) }
    }

    /// The vpcd port from --port or --slot, 35963 when neither is given.
    var vpcdPort: UInt16 {
        if let port { return port }
        if let slot { return VPCDFraming.port(forSlot: slot) }
        return VPCDFraming.defaultPort
    }

    func execute(_ console: StationConsole) async throws {
        // The card: from --card (created when missing), or a blank one that is not saved.
        let cardURL = card.map { URL(fileURLWithPath: NSString(string: $0).expandingTildeInPath) }
        let virtualCard: SimulatedSSCard
        if let cardURL, FileManager.default.fileExists(atPath: cardURL.path) {
            virtualCard = try CardImageFactory.loadCard(from: cardURL)
        } else {
            virtualCard = try CardImageFactory.makeBlankPreMadeCard(savingTo: cardURL)
            if let cardURL { console.say(Messages.createdCard(cardURL.path)) }
        }
        let cardName = cardURL.map { Messages.cardFile($0.path) } ?? Messages.blankCard

        let host = self.host
        let port = vpcdPort
        let connector = VPCDConnector(card: virtualCard, configuration: .init(host: host, port: port))
        let reporter = EventReporter(console: console, host: host, port: port, quiet: quiet)
        connector.onEvent = { reporter.report($0) }
        if !quiet { connector.onAPDU = { console.say(Messages.exchange($0)) } }

        // Inputs are set up before connecting so that Ctrl-C during the wait is not lost.
        let inputs = ConsoleInput.stream()
        console.say(Messages.serving(cardName, host: host, port: port))
        try await offCooperativePool { () throws(VPCDConnectorError) in try connector.start() }

        commands: for await input in inputs {
            switch input {
            case .line(let raw):
                let line = raw.trimmingCharacters(in: .whitespaces).lowercased()
                switch line {
                case "":
                    continue
                case "remove":
                    if connector.state == .removed { console.say(Messages.alreadyRemoved); continue }
                    await offCooperativePool { connector.remove() }
                case "insert":
                    if connector.state == .inserted { console.say(Messages.alreadyInserted); continue }
                    console.say(Messages.inserting)
                    connector.insert()
                case "mute":
                    connector.isMute = true
                    console.say(Messages.muted)
                case "unmute":
                    connector.isMute = false
                    console.say(Messages.unmuted)
                case "status":
                    console.say(Messages.status(
                        state: connector.state, host: host, port: port, card: cardName,
                        commands: connector.servedCommandCount, mute: connector.isMute))
                case "quit", "exit":
                    break commands
                default:
                    console.say(Messages.unknownCommand(raw))
                }
            case .endOfInput:
                continue  // run in the background: keep serving until a signal
            case .signal:
                break commands
            }
        }

        console.say(Messages.stopping)
        await offCooperativePool { connector.stop() }
        if let cardURL {
            try CardImageFactory.saveCard(virtualCard, to: cardURL)
            console.say(Messages.saved(cardURL.path))
        }
    }
}

/// Turns connector events into console lines; says "waiting for vpcd" once per outage.
private final class EventReporter: @unchecked Sendable {
    // @unchecked Sendable: `waiting` is only touched by the connector thread, which calls
    // `report` one event at a time; the other properties are immutable.
    let console: StationConsole
    let host: String
    let port: UInt16
    let quiet: Bool
    private var waiting = false

    init(console: StationConsole, host: String, port: UInt16, quiet: Bool) {
        self.console = console
        self.host = host
        self.port = port
        self.quiet = quiet
    }

    func report(_ event: VPCDConnector.Event) {
        switch event {
        case .inserted:
            waiting = false
            console.say(Messages.inserted(host: host, port: port))
        case .removed:
            waiting = false
            console.say(Messages.removed)
        case .connectionLost(let reason):
            waiting = true
            console.say(Messages.connectionLost(reason))
        case .connectFailed(let reason):
            if !waiting { console.say(Messages.waitingForVPCD(reason)) }
            waiting = true
        case .control(let code):
            if !quiet && code != .getATR { console.say(Messages.control(code)) }
        case .stopped:
            break
        }
    }
}

/// Lines for the technician: stdout for messages, stderr for failures. Written unbuffered, so
/// lines appear at once even when stdout is a pipe or a file.
struct Console: Sendable {
    func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func fail(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// What the console loop reacts to: typed lines, the end of stdin, SIGINT/SIGTERM.
enum ConsoleInput: Sendable {
    case line(String)
    case endOfInput
    case signal(Int32)

    /// Reads stdin on a thread of its own and turns SIGINT and SIGTERM into inputs.
    static func stream() -> AsyncStream<ConsoleInput> {
        let (stream, continuation) = AsyncStream<ConsoleInput>.makeStream()
        let reader = Thread {
            while let line = readLine(strippingNewline: true) { continuation.yield(.line(line)) }
            continuation.yield(.endOfInput)
        }
        reader.name = "vcard-stdin"
        reader.start()
        var sources: [any DispatchSourceSignal] = []
        for signo in [SIGINT, SIGTERM] {
            _ = Glibc.signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { continuation.yield(.signal(signo)) }
            source.resume()
            sources.append(source)
        }
        // The sources must live as long as the stream is consumed.
        let keep = SignalSources(sources)
        continuation.onTermination = { _ in keep.cancel() }
        return stream
    }
}

/// Keeps the signal sources alive and cancels them when the console ends.
private final class SignalSources: @unchecked Sendable {
    // @unchecked Sendable: the array is written once in init; DispatchSource.cancel is thread-safe.
    private let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
    func cancel() { sources.forEach { $0.cancel() } }
}

/// Runs a blocking call (a connector's start, remove or stop) on a thread of its own so that
/// it does not hold a thread of the cooperative pool.
func offCooperativePool<E: Error>(_ body: @escaping @Sendable () throws(E) -> Void) async throws(E) {
    let result: Result<Void, E> = await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: Result { () throws(E) in try body() }) }.start()
    }
    try result.get()
}
