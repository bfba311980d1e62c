import Foundation
import SSCardDriver
import SSCardSimulator

/// What a clerk does by hand at a virtual printer, for the web desk on the simulated stack
/// (`issue-station serve --demo`, the browser tests): take the finished card from the good exit
/// and read it back in the second reader (vpcd slot `readBackSlot`), or put a printed card back
/// into the manual feed for 制卡补登.
public struct VirtualPrinterHands: Sendable {
    public let printer: VirtualPrinter
    /// The vpcd slot of the ordinary reader the finished card is read back in.
    public let readBackSlot: Int
    public let readBackReader: String

    public init(printer: VirtualPrinter, readBackSlot: Int, readBackReader: String) {
        self.printer = printer; self.readBackSlot = readBackSlot; self.readBackReader = readBackReader
    }

    /// Takes card `cardNumber` from the good exit, puts it into the second reader and returns
    /// what iReadCardBas reads (the 11 fields, `|`-separated).
    public func readBack(_ cardNumber: CardNumber) throws -> String {
        guard let card = printer.collectGoodExit().first(where: { $0.image.cardNumber == cardNumber.value }) else {
            throw VirtualPrinterHandsError.notAtGoodExit(cardNumber.value)
        }
        let connector = VPCDConnector(card: card, configuration: .slot(readBackSlot))
        try connector.start()
        defer { connector.stop() }
        _ = try PCSCContext().waitForCard(in: readBackReader, timeout: .seconds(10))
        let reader = SSCardInterface(configuration: DriverConfiguration(contactReader: readBackReader), securityModule: SimulatedHSM())
        let result = reader.iReadCardBas(1)
        guard result.code == 0 else { throw VirtualPrinterHandsError.readFailed(code: result.code, output: result.output) }
        return result.output
    }

    /// Puts printed card `cardNumber` (from the good exit or the reject box, or any card taken
    /// out) back through the manual feed; false when it is not there.
    public func reinsert(_ cardNumber: CardNumber) -> Bool {
        _ = printer.collectGoodExit()
        guard let card = printer.inventory().first(where: { $0.card.image.cardNumber == cardNumber.value && $0.place == .takenOut })?.card
        else { return false }
        return (try? printer.feedByHand(card)) ?? false
    }
}

public enum VirtualPrinterHandsError: Error, CustomStringConvertible {
    case notAtGoodExit(String)
    case readFailed(code: Int, output: String)

    public var description: String {
        switch self {
        case .notAtGoodExit(let number): "卡 \(number) 不在出卡口 card \(number) is not at the good exit"
        case .readFailed(let code, let output): "读回失败 reading back failed: \(code) \(output)"
        }
    }
}
