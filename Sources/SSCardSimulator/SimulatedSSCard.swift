import Foundation
import SSCardDriver
import Synchronization

/// A simulated third-generation social security card (三代卡): the SSSE with its records,
/// PIN and authentications, and the PKI application, answering APDUs with real SM2/SM3/SM4
/// under the project's documented simulation key scheme (docs/card-simulation.md).
///
/// This type is the APDU dispatcher: it parses the command, routes it by CLA/INS to the
/// handlers (`FileSelection`, `SSSEFileSystem`, `CardAuthentication`, `PINCommands`,
/// `PKIApplication`), shapes the answer for the T=0 flag and saves a changed image.
/// Thread-safe: all state sits in one `Mutex`, each command runs under it.
///
/// A new card is unpowered, like a card out of a reader: `powerOn()` first (the vpcd
/// connector does it on vpcd's power-on; `SimulatedCardChannel` does it at creation).
public final class SimulatedSSCard: VirtualCard {
    private let session: Mutex<CardSession>
    /// The card's non-volatile memory: every change to the image is saved there before the
    /// card answers. nil: the image lives in this process only.
    public let store: (any CardImageStore)?
    /// The file of a `CardImageFile` store.
    public var storageURL: URL? { (store as? CardImageFile)?.url }
    public let atr: [UInt8]

    /// A card with `image`; with a `store` every command that changes the image saves it
    /// there before answering (a failed save undoes the change and answers 6581). A PIN
    /// presentation saves the spent try before it compares (docs/card-simulation.md).
    public init(image: CardImage, store: (any CardImageStore)?) {
        session = Mutex(CardSession(image: image, store: store))
        self.store = store
        atr = image.atr
    }

    /// A card with `image`, saved to the file `storageURL` (`CardImageFile`) when one is given.
    public convenience init(image: CardImage, storageURL: URL? = nil) {
        self.init(image: image, store: storageURL.map { CardImageFile(url: $0) })
    }

    /// The card saved at `url`, saving back there as it changes.
    public convenience init(contentsOf url: URL) throws(CardImageError) {
        self.init(image: try CardImage.load(from: url), storageURL: url)
    }

    /// A snapshot of the persistent state.
    public var image: CardImage { session.withLock { $0.image } }

    public func powerOn() { session.withLock { $0.clearVolatileState(); $0.powered = true } }
    public func reset() { session.withLock { $0.clearVolatileState(); $0.powered = true } }
    public func powerOff() { session.withLock { $0.clearVolatileState(); $0.powered = false } }

    public func process(_ bytes: [UInt8]) -> [UInt8] {
        session.withLock { session in
            guard session.powered else { return StatusWord.noPreciseDiagnosis.bytes }
            let response = Self.respond(to: bytes, in: &session)
            guard session.commitImage() else { return StatusWord.memoryFailure.bytes }
            return response.bytes
        }
    }

    /// Parse, route, shape. Malformed APDUs answer 6700, an unknown class 6E00, an unknown
    /// instruction 6D00.
    static func respond(to bytes: [UInt8], in session: inout CardSession) -> ResponseAPDU {
        let command: CommandAPDU
        do {
            command = try CommandAPDU(bytes: bytes)
        } catch {
            session.security.pendingResponse = nil
            return .status(.wrongLength)
        }
        if command.cla == 0x00, command.ins == 0xC0 { return getResponse(command, in: &session) }
        session.security.pendingResponse = nil
        guard let handler = instructions[Instruction(cla: command.cla, ins: command.ins)] else {
            let knownInstruction = instructions.keys.contains { $0.ins == command.ins }
            return .status(knownInstruction || ![0x00, 0x80, 0x84].contains(command.cla)
                           ? .classNotSupported : .instructionNotSupported)
        }
        let response = handler(&session, command)
        return shapeForT0(response, command: command, session: &session)
    }

    private struct Instruction: Hashable {
        var cla: UInt8
        var ins: UInt8
    }

    private typealias Handler = @Sendable (inout CardSession, CommandAPDU) -> ResponseAPDU

    /// Every command the card understands, by CLA and INS (GET RESPONSE aside).
    private static let instructions: [Instruction: Handler] = [
        Instruction(cla: 0x00, ins: 0xA4): { $0.select($1) },
        Instruction(cla: 0x00, ins: 0xB2): { $0.readRecord($1) },
        Instruction(cla: 0x00, ins: 0xDC): { $0.updateRecord($1) },
        Instruction(cla: 0x00, ins: 0x84): { $0.getChallenge($1) },
        Instruction(cla: 0x00, ins: 0x88): { $0.internalAuthenticate($1) },
        Instruction(cla: 0x00, ins: 0x82): { $0.externalAuthenticate($1) },
        Instruction(cla: 0x00, ins: 0x20): { $0.verify($1) },
        Instruction(cla: 0x80, ins: 0x5E): { $0.changePIN($1) },
        Instruction(cla: 0x84, ins: 0x5E): { $0.reloadPIN($1) },
        Instruction(cla: 0x84, ins: 0x24): { $0.unblockPIN($1) },
        Instruction(cla: 0x80, ins: 0x40): { $0.generateKeyPair($1) },
        Instruction(cla: 0x80, ins: 0x4E): { $0.importEncryptionKeyPair($1) },
        Instruction(cla: 0x00, ins: 0xB0): { $0.readBinary($1) },
        Instruction(cla: 0x00, ins: 0xD6): { $0.updateBinary($1) },
        Instruction(cla: 0x84, ins: 0xD4): { $0.changeMasterKey($1) },
        Instruction(cla: 0x00, ins: 0x2A): { $0.sign($1) },
    ]

    /// With the T=0 flag, a response with data to a command that carried data (case 4), or
    /// one longer than 256 bytes, is held back: the card answers 61xx and hands the data out
    /// through GET RESPONSE. Case 2 commands answer directly (their Le checks are in the
    /// handlers: 6Cxx).
    private static func shapeForT0(_ response: ResponseAPDU, command: CommandAPDU, session: inout CardSession) -> ResponseAPDU {
        guard session.image.answersLikeT0, !response.data.isEmpty, response.statusWord.isSuccess,
              !command.data.isEmpty || response.data.count > 256 else { return response }
        session.security.pendingResponse = response.data
        return .status(bytesAvailable(response.data.count))
    }

    /// GET RESPONSE `00 C0 00 00 Le`: the next Le bytes of the held response; 61xx while
    /// more remain. 6985 nothing held, 6Cxx Le larger than what is held, 6A86 P1/P2 ≠ 00.
    private static func getResponse(_ command: CommandAPDU, in session: inout CardSession) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0 else {
            session.security.pendingResponse = nil
            return .status(.incorrectP1P2)
        }
        guard let pending = session.security.pendingResponse else { return .status(.conditionsNotSatisfied) }
        guard command.data.isEmpty, let le = command.expectedLength else { return .status(.wrongLength) }
        guard le <= pending.count else { return .status(StatusWord(0x6C, UInt8(pending.count & 0xFF))) }
        let rest = Array(pending.dropFirst(le))
        session.security.pendingResponse = rest.isEmpty ? nil : rest
        return ResponseAPDU(data: Array(pending.prefix(le)), statusWord: rest.isEmpty ? .success : bytesAvailable(rest.count))
    }

    /// 61xx for `count` bytes waiting (61 00 = 256 or more).
    private static func bytesAvailable(_ count: Int) -> StatusWord { StatusWord(0x61, count >= 256 ? 0 : UInt8(count)) }
}
