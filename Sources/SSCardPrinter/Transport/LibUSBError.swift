import SSCardDriver
import CLibUSB

/// An error returned by libusb-1.0, keeping the raw code (`LIBUSB_ERROR_…`, negative).
/// `catch LibUSBError.access` works through `~=`.
public struct LibUSBError: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The error of a libusb return code; nil for 0 and positive values (success, counts).
    init?(code: Int32) {
        guard code < 0 else { return nil }
        rawValue = code
    }

    /// libusb's own text for the code (`libusb_strerror`), e.g. "Access denied (insufficient
    /// permissions)".
    public var libusbText: String { String(cString: libusb_strerror(rawValue)) }

    public var description: String {
        var text = "\(libusbText) (libusb \(rawValue))"
        if let hint { text += "; \(hint)" }
        return text
    }

    /// What a technician does about it, for the codes that have a usual cause.
    public var hint: String? {
        switch self {
        case .access: return "install udev/60-sscard.rules and add the user to group sscard (docs/escape-protocol.md)"
        case .busy: return "another program holds the printer's interface (a CUPS usb backend?)"
        case .noDevice: return "the printer was unplugged or switched off"
        default: return nil
        }
    }

    public static func ~= (pattern: LibUSBError, error: any Error) -> Bool {
        (error as? LibUSBError) == pattern
    }

    /// LIBUSB_ERROR_IO
    public static let io = LibUSBError(rawValue: -1)
    /// LIBUSB_ERROR_INVALID_PARAM
    public static let invalidParameter = LibUSBError(rawValue: -2)
    /// LIBUSB_ERROR_ACCESS: no permission on the device node (udev rule, group).
    public static let access = LibUSBError(rawValue: -3)
    /// LIBUSB_ERROR_NO_DEVICE: unplugged.
    public static let noDevice = LibUSBError(rawValue: -4)
    /// LIBUSB_ERROR_NOT_FOUND: e.g. no kernel driver to detach.
    public static let notFound = LibUSBError(rawValue: -5)
    /// LIBUSB_ERROR_BUSY: the interface is claimed by someone else.
    public static let busy = LibUSBError(rawValue: -6)
    /// LIBUSB_ERROR_TIMEOUT
    public static let timeout = LibUSBError(rawValue: -7)
    /// LIBUSB_ERROR_OVERFLOW: the device sent more than the buffer held.
    public static let overflow = LibUSBError(rawValue: -8)
    /// LIBUSB_ERROR_PIPE: the endpoint halted (stall).
    public static let pipe = LibUSBError(rawValue: -9)
    /// LIBUSB_ERROR_INTERRUPTED
    public static let interrupted = LibUSBError(rawValue: -10)
    /// LIBUSB_ERROR_NO_MEM
    public static let noMemory = LibUSBError(rawValue: -11)
    /// LIBUSB_ERROR_NOT_SUPPORTED: e.g. kernel-driver detach on a platform without it.
    public static let notSupported = LibUSBError(rawValue: -12)
    /// LIBUSB_ERROR_OTHER
    public static let other = LibUSBError(rawValue: -99)
}
