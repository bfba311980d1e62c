import SSCardDriver

/// One card's whole state while it sits in a reader: the persistent image and the volatile
/// security state. Command handlers are extensions of this type, one file per job; the
/// `SimulatedSSCard` dispatcher owns the only instance, behind its mutex.
struct CardSession: Sendable {
    var image: CardImage
    /// The image as the non-volatile memory last took it (`commitImage`).
    private(set) var committedImage: CardImage
    /// The non-volatile memory; nil: the image lives in this process only.
    let store: (any CardImageStore)?
    var security = CardSecurityState()
    /// Contacts powered. An unpowered card answers no command (6F00 here).
    var powered = false

    init(image: CardImage, store: (any CardImageStore)? = nil) {
        self.image = image
        committedImage = image
        self.store = store
    }

    /// Power-on, warm reset or power-off: everything volatile goes.
    mutating func clearVolatileState() { security = CardSecurityState() }

    /// Writes a changed image to the non-volatile memory now, before the card answers. When the
    /// store fails, the image goes back to the one last committed and the result is false: the
    /// caller answers 6581 (memory failure).
    mutating func commitImage() -> Bool {
        guard image != committedImage else { return true }
        if let store {
            do { try store.save(image) } catch {
                image = committedImage
                return false
            }
        }
        committedImage = image
        return true
    }
}

/// A status word a helper refuses with, for `Result`-returning checks.
struct Refusal: Error, Equatable {
    let statusWord: StatusWord
    init(_ statusWord: StatusWord) { self.statusWord = statusWord }
}

extension ResponseAPDU {
    /// A response with no data.
    static func status(_ statusWord: StatusWord) -> ResponseAPDU { ResponseAPDU(statusWord: statusWord) }
    /// 9000 with `data`.
    static func ok(_ data: [UInt8] = []) -> ResponseAPDU { ResponseAPDU(data: data, statusWord: .success) }
}

extension StatusWord {
    /// 6300: authentication failed (EXTERNAL AUTHENTICATE with a wrong cryptogram).
    static let authenticationFailed = StatusWord(rawValue: 0x6300)
    /// 6981: command incompatible with file structure (a record command on a binary EF).
    static let commandIncompatibleWithFile = StatusWord(rawValue: 0x6981)
}
