import Foundation
import SSCardDriver

// MARK: printer

extension Messages {
    static let printerAbstract = "制卡机：查看状态、打印测试卡。 The card printer: its status and a test card."
    static let printerDiscussion = """
        使用驱动配置中 printer 一节所指的制卡机（virtual、escape-tcp、evolis-usb）。
        Uses the printer the driver configuration's printer section names (virtual, escape-tcp, evolis-usb).
        """

    static let printerStatusAbstract = "显示制卡机的卡盒、上盖、色带、卡片位置和废卡盒状态。 Shows the printer's hoppers, cover, ribbon, card position and reject box."
    static let printerStatusDiscussion = """
        每个卡盒旁边列出账上装入该卡盒的卡数（issue-station inventory load 登记的），两者应当一致。\
        有需要处理的情况时，最后几行说明怎么办。
        Beside each hopper is the number of cards the books put in it (recorded by \
        issue-station inventory load); the two should agree. When something needs attention, the \
        last lines say what to do.
        """

    static func printerStatus(_ s: PrinterStatus, printer: String, booked: [Int: Int]?, _ language: Language) -> [String] {
        let zh = language == .zh
        var lines = [(zh ? "制卡机：" : "Printer: ") + printer]
        lines.append((zh ? "上盖：" : "Cover: ") + (s.coverOpen ? (zh ? "打开" : "open") : (zh ? "关闭" : "closed")))
        lines.append((zh ? "色带：" : "Ribbon: ") + (s.ribbonPanelsRemaining.map { zh ? "剩余 \($0) 面" : "\($0) panels left" } ?? (zh ? "未知" : "unknown")))
        let position: String
        switch s.cardPosition {
        case .none: position = zh ? "机内无卡" : "no card inside"
        case .contactStation: position = zh ? "接触式芯片工位" : "contact station"
        case .contactlessStation: position = zh ? "非接触工位" : "contactless station"
        case .printPosition: position = zh ? "打印位置" : "print position"
        case .jammed: position = zh ? "卡住" : "jammed"
        }
        lines.append((zh ? "卡片位置：" : "Card: ") + position)
        lines.append((zh ? "废卡盒：" : "Reject box: ") + (s.rejectBoxFull ? (zh ? "已满" : "full") : (zh ? "未满" : "not full")))
        for h in s.hoppers {
            var line = zh ? "卡盒\(h.number)：" : "Hopper \(h.number): "
            if h.hasCards {
                line += zh ? "有卡" : "has cards"
                if let n = h.cardCount { line += zh ? "（\(n) 张）" : " (\(n))" }
            } else {
                line += zh ? "空" : "empty"
            }
            if let n = booked?[h.number] { line += zh ? "；账上 \(n) 张" : "; \(n) on the books" }
            if h.number == s.defaultHopper { line += zh ? "；默认卡盒" : "; default hopper" }
            lines.append(line)
        }
        return lines
    }

    static func printerWarnings(_ s: PrinterStatus) -> [Localized] {
        var out: [Localized] = []
        if s.coverOpen { out.append(Localized("需要处理：上盖打开，关好上盖。", "Needs attention: the cover is open; close it.")) }
        if s.cardPosition == .jammed {
            out.append(Localized("需要处理：卡片卡住，打开上盖取出，用 issue-station inventory spoil 登记作废。",
                                 "Needs attention: a card is jammed; take it out and record it with issue-station inventory spoil."))
        }
        if s.rejectBoxFull { out.append(Localized("需要处理：废卡盒已满，清空（每张废卡都要登记作废）。", "Needs attention: the reject box is full; empty it (record every rejected card as spoiled).")) }
        if let n = s.ribbonPanelsRemaining, n < 5 { out.append(Localized("需要处理：色带不够打印一张卡，更换色带。", "Needs attention: the ribbon cannot print another card; replace it.")) }
        for h in s.hoppers where !h.hasCards {
            out.append(Localized("卡盒\(h.number)是空的：需要时装入预制卡，并运行 issue-station inventory load。",
                                 "Hopper \(h.number) is empty: when needed, put pre-made cards in and run issue-station inventory load."))
        }
        return out
    }

    static let testPrintAbstract = "用样例数据按全省参考版式打印一张测试卡。 Prints a test card with sample data in the province reference layout."
    static let testPrintDiscussion = """
        样例持卡人“张䄲𠀀”含扩展A、B区汉字，可检查字体链。卡片默认送到废卡盒（--exit reject），\
        技术员可用 --exit good 送到出卡口。测试打印会用掉卡盒中的一张卡：程序从芯片读出卡识别码，\
        如果是本站库存中的预制卡，就自动登记作废（原因：测试打印），不会丢卡；其他制卡站程序正在使用时拒绝测试打印。
        The sample holder "张䄲𠀀" has CJK Ext A and B characters to exercise the font chain. The \
        card goes to the reject box unless --exit good sends it to the output. A test print uses \
        up a card from the hopper: the program reads its card identification code from the chip \
        and, when it is a pre-made card on this station's books, records it as spoiled (reason: \
        test print), so no card goes missing. It is refused while another station program runs.
        """
    static let testPrintHopperHelp = "从哪个卡盒进卡（1 至 9）；不给时用制卡机的默认卡盒。 The hopper to feed from (1 to 9); the printer's default when not given."
    static let testPrintExitHelp = "打印后卡片送到哪里：reject 废卡盒（默认）或 good 出卡口。 Where the card goes: reject (the reject box, default) or good (the output)."
    static let testPrintPreviewHelp = "同时把卡面图像写入这个 PNG 文件。 Also writes the card face to this PNG file."
    static func previewWritten(_ path: String) -> Localized { Localized("卡面预览已写入 \(path)。", "Wrote the card face preview to \(path).") }
    static func testPrintFeeding(hopper: Int?) -> Localized {
        let h = hopper.map { "卡盒\($0)" } ?? "默认卡盒"
        let hEN = hopper.map { "hopper \($0)" } ?? "the default hopper"
        return Localized("从\(h)进卡并打印测试卡……", "Feeding a card from \(hEN) and printing the test card…")
    }
    static func testPrinted(_ exit: CardExit) -> Localized {
        exit == .good ? Localized("测试卡已打印，送到出卡口。", "The test card is printed and in the output hopper.")
                      : Localized("测试卡已打印，送到废卡盒。", "The test card is printed and in the reject box.")
    }
    static let testPrintNotIdentified = Localized(
        "读不出这张卡的芯片：如果它是预制卡，请用 issue-station inventory spoil 卡号 --reason 测试打印 登记作废。",
        "The card's chip could not be read: if it was a pre-made card, record it with issue-station inventory spoil CARD --reason \"test print\".")
    static func testPrintSpoiled(_ number: CardNumber) -> Localized {
        Localized("用掉的是预制卡 \(number)，已在库存中登记作废（原因：测试打印）。",
                  "The card used was pre-made card \(number); it is recorded as spoiled (reason: test print).")
    }
    static func testPrintNotOnBooks(_ id: String) -> Localized {
        Localized("这张卡（卡识别码 \(id)）不在本站库存中，无需登记。",
                  "This card (卡识别码 \(id)) is not in this station's stock; nothing to record.")
    }
    static func testPrintNoBooks(_ id: String) -> Localized {
        Localized("本机没有制卡站数据库：如果这张卡（卡识别码 \(id)）是预制卡，请在制卡站用 issue-station inventory spoil 登记作废。",
                  "No station database here: if this card (卡识别码 \(id)) was a pre-made card, record it as spoiled at the station with issue-station inventory spoil.")
    }
    static func testPrintNotRecorded(_ id: String) -> Localized {
        Localized("这张卡（卡识别码 \(id)）没能登记作废，请用 issue-station inventory spoil 登记",
                  "This card (卡识别码 \(id)) could not be recorded as spoiled; record it with issue-station inventory spoil")
    }
}
