/// A card that answered a command with a refusal, or with data that break the 3.0 rules.
public enum CardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The card refused `command` (INS) with `status`.
    case refused(instruction: UInt8, status: StatusWord)
    /// A record or element did not have the expected shape.
    case malformedData(String)

    /// The status word behind a refusal, for the national interface's −SW codes.
    public var statusWord: StatusWord? {
        if case .refused(_, let sw) = self { return sw }
        return nil
    }

    public var description: String {
        switch self {
        case .refused(let ins, let sw):
            return "card refused \(Self.name(of: ins)): \(sw)"
        case .malformedData(let what):
            return "card data malformed: \(what)"
        }
    }

    static func name(of ins: UInt8) -> String {
        switch ins {
        case 0xA4: return "SELECT"
        case 0xB2: return "READ RECORD"
        case 0xB0: return "READ BINARY"
        case 0xDC: return "UPDATE RECORD"
        case 0xD6: return "UPDATE BINARY"
        case 0x84: return "GET CHALLENGE"
        case 0x88: return "INTERNAL AUTHENTICATE"
        case 0x82: return "EXTERNAL AUTHENTICATE"
        case 0x20: return "VERIFY"
        case 0x5E: return "CHANGE/RELOAD PIN"
        case 0x24: return "UNBLOCK PIN"
        default: return "INS " + [ins].hexString
        }
    }
}

extension CardChannel {
    /// Transmits and requires 9000; the response data otherwise.
    public func expectSuccess(_ command: CommandAPDU) throws -> [UInt8] {
        let response = try transmit(command)
        guard response.statusWord.isSuccess else {
            throw CardError.refused(instruction: command.ins, status: response.statusWord)
        }
        return response.data
    }
}
