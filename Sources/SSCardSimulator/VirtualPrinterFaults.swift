import SSCardDriver

/// A fault the virtual printer can be told to have (an empty hopper needs no injection: take
/// the cards out). Where each one leaves the card is in docs/printer.md.
public enum VirtualPrinterFault: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The next fed card jams before the contact station: `PrinterError.jamAtLoad`, the card
    /// leaves its hopper and sits jammed until `eject(to:)` sends it to the reject box.
    case jamAtLoad
    /// The card jams under the print head: `.jamAtPrint`, the ribbon panels are used and the
    /// card goes to the reject box.
    case jamAtPrint
    /// The cover is open: loading, moving and printing fail with `.coverOpen`, nothing moves;
    /// `status()` reports it; eject still works.
    case coverOpen
    /// The ribbon is out: printing fails with `.ribbonOut`, the card stays at the print
    /// position unprinted; `status()` reports 0 panels.
    case ribbonOut
    /// The printer does not answer: every call, `status()` and `eject(to:)` included, fails
    /// with `.notConnected` and nothing moves.
    case notConnected
    /// The printer does not answer in time: every call fails with `.timeout` and nothing moves.
    case timeout

    public var description: String {
        switch self {
        case .jamAtLoad: return "jam at load"
        case .jamAtPrint: return "jam at print"
        case .coverOpen: return "cover open"
        case .ribbonOut: return "ribbon out"
        case .notConnected: return "not connected"
        case .timeout: return "timeout"
        }
    }
}

/// How long an injected fault lasts.
public enum VirtualPrinterFaultMode: Hashable, Sendable {
    /// Cleared by the first operation it makes fail.
    case once
    /// Stays until `clearFault(_:)` or `clearAllFaults()`.
    case sticky
}

/// The armed faults of a virtual printer.
struct VirtualPrinterFaults: Sendable {
    private(set) var armed: [VirtualPrinterFault: VirtualPrinterFaultMode] = [:]

    func isArmed(_ fault: VirtualPrinterFault) -> Bool { armed[fault] != nil }

    mutating func inject(_ fault: VirtualPrinterFault, mode: VirtualPrinterFaultMode) {
        armed[fault] = mode
    }

    mutating func clear(_ fault: VirtualPrinterFault) {
        armed[fault] = nil
    }

    mutating func clearAll() {
        armed.removeAll()
    }

    /// Whether `fault` is armed; a one-shot fault is used up by saying yes.
    mutating func trips(_ fault: VirtualPrinterFault) -> Bool {
        guard let mode = armed[fault] else { return false }
        if mode == .once { armed[fault] = nil }
        return true
    }

    /// The transport faults every call meets first.
    mutating func checkConnection(_ operation: String) throws(PrinterError) {
        if trips(.notConnected) { throw .notConnected(reason: "virtual printer: injected fault") }
        if trips(.timeout) { throw .timeout(operation: operation) }
    }
}
