import Foundation
import SSCardDriver
import SSCardSimulator

/// The PIN functions, where the bench can enter a PIN: through the library's PIN provider
/// (SSCardDriver_SetPINCallback, docs/pin-functions.md). A reader with a PIN pad is one the
/// tester cannot type on, and a library with no PIN provider leaves it no way either: then the
/// cases are "not testable with this reader", never passed.
extension CaseCatalogue {
    static let pinClause = "人社信息函〔2016〕38号 iVerifyPIN/iChangePIN；返回码 −51、−52"

    /// Serves `card`, checks that the PINs can be entered, and hands `pins` to the library.
    static func preparePIN(_ ctx: CaseContext, card: SimulatedSSCard, pins: [String]) throws {
        try ctx.insert(card)
        let session = PCSCCardSession(configuration: .init(readerPattern: ctx.bench.reader, callTimeout: .seconds(5), recoveryTimeout: .seconds(5)))
        if let features = try? session.pinPadFeatures(), features.verifyPINDirect != nil {
            throw CaseStop.notTestable(Bilingual("读卡器带密码键盘，测试程序无法在键盘上输入密码", "the reader has a PIN pad, on which the tester cannot type"))
        }
        guard try ctx.driver().setPINs(pins) else {
            throw CaseStop.notTestable(Bilingual("本读卡器无密码键盘，库也没有 SSCardDriver_SetPINCallback：测试程序无法输入密码",
                                                 "this reader has no PIN pad and the library no SSCardDriver_SetPINCallback: the tester cannot enter a PIN"))
        }
    }

    static var pinCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "pin.verify", group: .pin,
                title: Bilingual("iVerifyPIN 输入正确密码", "iVerifyPIN with the right PIN"),
                clause: pinClause,
                expected: Bilingual("0；卡上剩余次数不变", "0; the card's tries left unchanged")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try preparePIN(ctx, card: card, pins: ["123456"])
                let r = try ctx.call("iVerifyPIN", [.int(1)])
                ctx.saw("code \(r.code): \(r.shownText); tries left on the card \(card.image.userPIN.triesLeft)/\(card.image.userPIN.maxTries)")
                ctx.expect(r.code == 0, "code \(r.code)")
                ctx.expect(card.image.userPIN.triesLeft == card.image.userPIN.maxTries, "the counter changed")
            },
            ConformanceCase(
                id: "pin.wrong", group: .pin,
                title: Bilingual("iVerifyPIN 输入错误密码", "iVerifyPIN with a wrong PIN"),
                clause: pinClause,
                expected: Bilingual("−51（密码错误，还可尝试N次）；卡上剩余次数少1", "−51 (wrong PIN, N tries left); one try fewer on the card")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try preparePIN(ctx, card: card, pins: ["111111"])
                let before = card.image.userPIN.triesLeft
                let r = try ctx.call("iVerifyPIN", [.int(1)])
                let after = card.image.userPIN.triesLeft
                ctx.saw("code \(r.code): \(r.shownText); tries left on the card \(before) → \(after)")
                ctx.expect(r.code == -51, "code \(r.code), expected −51")
                ctx.expect(after == before - 1, "tries left \(before) → \(after)")
            },
            ConformanceCase(
                id: "pin.locked", group: .pin,
                title: Bilingual("密码已锁的卡", "A card whose PIN is locked"),
                clause: pinClause,
                expected: Bilingual("−52（密码已锁）", "−52 (PIN locked)")
            ) { ctx in
                let card = try ConformanceCards.pinLocked()
                try preparePIN(ctx, card: card, pins: ["123456"])
                let r = try ctx.call("iVerifyPIN", [.int(1)])
                ctx.saw("code \(r.code): \(r.shownText)")
                ctx.expect(r.code == -52, "code \(r.code), expected −52")
                ctx.expect(card.image.userPIN.triesLeft == 0, "the locked card was unlocked")
            },
            ConformanceCase(
                id: "pin.change", group: .pin,
                title: Bilingual("iChangePIN 把密码改为新密码", "iChangePIN changes the PIN"),
                clause: pinClause,
                expected: Bilingual("0；卡内密码为新密码，剩余次数满", "0; the card holds the new PIN with full tries")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try preparePIN(ctx, card: card, pins: ["123456", "258036", "258036"])
                let r = try ctx.call("iChangePIN", [.int(1)])
                let changed = card.image.userPIN.value == "258036"
                ctx.saw("code \(r.code): \(r.shownText); PIN on the card changed: \(changed)")
                ctx.expect(r.code == 0, "code \(r.code)")
                ctx.expect(changed, "the card still holds the old PIN")
                ctx.expect(card.image.userPIN.triesLeft == card.image.userPIN.maxTries, "tries left \(card.image.userPIN.triesLeft)")
            },
        ]
    }
}
