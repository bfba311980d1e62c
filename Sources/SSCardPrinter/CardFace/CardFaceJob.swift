import SSCardDriver

/// One photo of a card face with its picture already decoded, and its box in 300-dpi dots.
/// The picture is scaled to fit the box (aspect kept, centred) when the face is rendered.
public struct CardFacePhoto: Hashable, Sendable {
    /// "sPhoto1" or "sPhoto2", for messages.
    public var itemName: String
    /// The decoded photo (`PhotoDecoder`).
    public var picture: RGBImage
    public var left: Double
    public var top: Double
    public var width: Double
    public var height: Double

    public init(itemName: String, picture: RGBImage, left: Double, top: Double, width: Double, height: Double) {
        self.itemName = itemName
        self.picture = picture
        self.left = left
        self.top = top
        self.width = width
        self.height = height
    }

    /// The box the picture is fitted into.
    public var box: DotRect { DotRect(left: left, top: top, right: left + width, bottom: top + height) }
}

/// What one iPrint does, typed: the text items and decoded photos to print (geometry in
/// 300-dpi dots) and the exit the card leaves by (`SSCardInterface.printCard(_:)`).
///
/// A job with nothing to print only moves the card to `exit`. A job that prints leaves by
/// `exit` when printing succeeded and by the reject box when it failed. iPrint's `n` chooses
/// the exit only when all its items are empty; a card it printed leaves by the good exit.
///
/// Made by `ProvinceLayout.job(for:units:exit:)` from a holder, or by
/// `init(iPrint:_:configuration:)` from iPrint's `n` and eight `|` items.
public struct CardFaceJob: Hashable, Sendable {
    /// The text items that print, in item order (sData1–sData6).
    public var texts: [PrintTextItem]
    /// The photos that print, in item order (sPhoto1, sPhoto2).
    public var photos: [CardFacePhoto]
    public var exit: CardExit

    public init(texts: [PrintTextItem], photos: [CardFacePhoto], exit: CardExit = .good) {
        self.texts = texts
        self.photos = photos
        self.exit = exit
    }

    /// Prints nothing: the card in the printer only goes to `exit`.
    public static func eject(to exit: CardExit) -> CardFaceJob {
        CardFaceJob(texts: [], photos: [], exit: exit)
    }

    /// True when nothing prints: the card only moves to `exit`.
    public var isEmpty: Bool { texts.isEmpty && photos.isEmpty }

    /// iPrint(n, sData1…sData6, sPhoto1, sPhoto2) as a job: the items parsed (`PrintItems`,
    /// geometry in the configuration's `printUnits`) and their photos decoded with the
    /// configuration's font chain checking every character first. All items empty: `n` must be
    /// 1 or 2 (−14) and is the exit; otherwise the exit is the good one, `n` unread.
    ///
    /// Refused as iPrint refuses, in the same order: a malformed item (−14), an unusable font
    /// (−5), a character that cannot print (−41), a photo box off the card or over the chip or
    /// a bad photo (−14). The checks left (text boxes) are made when the job is rendered.
    public init(iPrint n: Int, _ items: [String], configuration: DriverConfiguration) throws(InterfaceError) {
        let parsed = try PrintItems(items, units: PrintUnits(configuration.printUnits))
        guard !parsed.isEmpty else {
            guard let exit = CardExit(rawValue: n) else {
                throw .badParameter("n=\(n) 不是 1 或 2", "n=\(n) is not 1 or 2")
            }
            self = .eject(to: exit)
            return
        }
        do throws(CardFaceError) {
            self = try CardFaceRenderer(configuration: configuration).job(for: parsed, exit: .good)
        } catch {
            throw error.interfaceError
        }
    }
}
