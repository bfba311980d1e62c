import ArgumentParser
import Foundation
import SSCardDriver
import SSCardSimulator

/// `issue-station vprinter`: the virtual card printer on 127.0.0.1, speaking Escape, for
/// technicians and demos (docs/escape-protocol.md).
struct VPrinterCommand: VirtualDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "vprinter",
        abstract: Messages.vprinterAbstract,
        discussion: Messages.vprinterDiscussion)

    @OptionGroup var lang: LanguageOption

    @Option(help: ArgumentHelp(Messages.vprinterPortHelp, valueName: "port"))
    var port: UInt16 = VirtualPrinterServer.Listen.defaultPort

    @Option(help: ArgumentHelp(Messages.vprinterSlotHelp, valueName: "slot"))
    var slot: Int = 0

    @Option(help: ArgumentHelp(Messages.vprinterOutputHelp, valueName: "directory"))
    var output: String?

    @Option(help: ArgumentHelp(Messages.vprinterCardsHelp, valueName: "count"))
    var cardsPerHopper: Int = 10

    @Flag(help: ArgumentHelp(Messages.vprinterUnwiredHelp))
    var unwired = false

    @Flag(help: ArgumentHelp(Messages.vprinterQuietHelp))
    var quiet = false

    func validate() throws {
        if !(0..<VPCDFraming.slotCount).contains(slot) { throw ValidationError(Messages.slotRange) }
        if !(0...100).contains(cardsPerHopper) { throw ValidationError(Messages.vprinterCardsRange) }
    }

    func execute(_ console: StationConsole) async throws {
        let printer = VirtualPrinter(configuration: .init(
            hopperCount: 2, chipContact: unwired ? .unwired : .vpcd(.slot(slot))))
        // Hopper 1: SIM000001…, hopper 2: SIM000101… (the sample spec is valid by construction).
        let factory = PreMadeCardFactory()
        for (hopper, first) in [(1, 1), (2, 101)] {
            let cards = (first..<(first + cardsPerHopper)).map {
                SimulatedSSCard(image: try! factory.blankCard(.sample(sequence: $0)))
            }
            printer.addCards(cards, toHopper: hopper)
        }
        let outputURL = output.map { URL(fileURLWithPath: NSString(string: $0).expandingTildeInPath) }
        let server = VirtualPrinterServer(printer: printer, configuration: .init(
            listen: .loopback(port: port), outputDirectory: outputURL))
        let quiet = self.quiet
        server.onEvent = { event in
            switch event {
            case .listening: break
            case .connected(let id): console.say(Messages.vprinterConnected(id))
            case .disconnected(let id): console.say(Messages.vprinterDisconnected(id))
            case .command(let command, let reply): if !quiet { console.say(Messages.vprinterCommand(command, reply)) }
            case .decodingError(let text): console.fail(Messages.vprinterDecodingError(text))
            case .printed(let card): console.say(Messages.vprinterPrinted(card))
            }
        }

        let inputs = ConsoleInput.stream()
        do {
            try server.start()
        } catch {
            throw VirtualPrinterListenError(port: port, reason: error.description)
        }
        console.say(Messages.vprinterListening(server.endpoint?.description ?? "?",
                                               encoder: Messages.vprinterEncoder(slot: unwired ? nil : slot)))

        commands: for await input in inputs {
            switch input {
            case .line(let raw):
                let words = raw.split(separator: " ").map(String.init)
                switch (words.first?.lowercased(), words.count) {
                case (nil, _):
                    continue
                case ("status", 1):
                    console.say(Messages.vprinterStatus(server.summary()))
                case ("fault", 2), ("fault", 3):
                    let sticky = words.count == 3 && words[2].lowercased() == "sticky"
                    let reply = server.control(.other(name: "Xfault", parameters: [words[1], sticky ? "sticky" : "once"]))
                    console.say(reply == .ok ? Messages.vprinterFaultArmed(words[1], sticky: sticky)
                                             : Messages.vprinterUnknownFault(words[1]))
                case ("clear", 1), ("clear", 2):
                    let reply = server.control(.other(name: "Xclear", parameters: Array(words.dropFirst())))
                    console.say(reply == .ok ? Messages.vprinterCleared : Messages.vprinterUnknownFault(words.last!))
                case ("ribbon", 1):
                    printer.replaceRibbon()
                    console.say(Messages.vprinterRibbon)
                case ("collect", 1):
                    let good = printer.collectGoodExit().count
                    let rejected = printer.emptyRejectBox().count
                    console.say(Messages.vprinterCollected(good: good, rejected: rejected))
                case ("quit", 1), ("exit", 1):
                    break commands
                default:
                    console.say(Messages.vprinterUnknownCommand(raw))
                }
            case .endOfInput:
                continue  // run in the background: keep serving until a signal
            case .signal:
                break commands
            }
        }

        console.say(Messages.stopping)
        await offCooperativePool { server.stop() }
        await offCooperativePool { try? printer.eject(to: .reject) }
    }
}
