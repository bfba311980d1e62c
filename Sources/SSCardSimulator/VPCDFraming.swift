/// The vpcd wire protocol (vsmartcard `vpcd.c`): every message in both
/// directions is a 2-byte big-endian length followed by that many bytes. A 1-byte message from
/// vpcd is a control code; anything else is a command APDU exactly as the application sent it.
public enum VPCDFraming {
    /// The port vpcd listens on for slot 0 (`VPCDPORT`, 0x8C7B); slot n listens on port + n.
    public static let defaultPort: UInt16 = 35963
    /// Slots in Debian's vpcd build (`--enable-vpcdslots`, default 2).
    public static let slotCount = 2
    /// The largest payload a 2-byte length can carry.
    public static let maximumPayload = 0xFFFF

    /// The port of vpcd slot `slot` (0 → 35963, 1 → 35964).
    public static func port(forSlot slot: Int) -> UInt16 {
        precondition((0..<slotCount).contains(slot), "vpcd slot must be 0 or 1")
        return defaultPort + UInt16(slot)
    }

    /// Length prefix and payload in one buffer, so the message goes out in one `send`.
    /// Traps (programmer error) on a payload over 65535 bytes; callers check `maximumPayload`.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count <= maximumPayload, "vpcd payload longer than 65535 bytes")
        var out: [UInt8] = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        out.reserveCapacity(2 + payload.count)
        out.append(contentsOf: payload)
        return out
    }

    /// The length a 2-byte prefix announces.
    public static func length(ofPrefix prefix: [UInt8]) -> Int {
        precondition(prefix.count == 2, "vpcd length prefix is 2 bytes")
        return Int(prefix[0]) << 8 | Int(prefix[1])
    }
}

/// A control code vpcd sends as a 1-byte message. Only `getATR` is answered.
public enum VPCDControl: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// `VPCD_CTRL_OFF`: contacts unpowered.
    case powerOff = 0x00
    /// `VPCD_CTRL_ON`: cold reset.
    case powerOn = 0x01
    /// `VPCD_CTRL_RESET`: warm reset.
    case reset = 0x02
    /// `VPCD_CTRL_ATR`: asks for the ATR; pcscd sends one every 400 ms as its presence poll.
    case getATR = 0x04

    public var description: String {
        switch self {
        case .powerOff: return "power off"
        case .powerOn: return "power on"
        case .reset: return "reset"
        case .getATR: return "get ATR"
        }
    }
}

/// One message from vpcd, classified.
public enum VPCDMessage: Sendable, Hashable {
    case control(VPCDControl)
    /// A command APDU. A 1-byte payload that is not a known control code lands here too: no real
    /// C-APDU is shorter than 4 bytes, so the card answers it with a length error.
    case command([UInt8])

    public init(payload: [UInt8]) {
        if payload.count == 1, let code = VPCDControl(rawValue: payload[0]) {
            self = .control(code)
        } else {
            self = .command(payload)
        }
    }
}
