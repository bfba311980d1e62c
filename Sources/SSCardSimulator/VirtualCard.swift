/// A card that can sit in a reader: what the vpcd connector and the in-process channel ask of
/// it. Power and reset events clear the card's volatile state (selected file, verified PINs,
/// authentication states, challenges), as a real card's would.
public protocol VirtualCard: AnyObject, Sendable {
    /// The answer to reset sent on vpcd's GET ATR.
    var atr: [UInt8] { get }
    /// Contacts powered: a cold reset.
    func powerOn()
    /// Contacts unpowered.
    func powerOff()
    /// Warm reset.
    func reset()
    /// Processes one command APDU and returns the response APDU (data ‖ SW1 SW2).
    func process(_ command: [UInt8]) -> [UInt8]
}
