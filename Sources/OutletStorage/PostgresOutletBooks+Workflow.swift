import Foundation
import InstantIssue
import PostgresNIO
import SSCardDriver

/// What the issuance workflow and its recovery need of the outlet's books beyond `OutletBooks`:
/// whole cards (with their 卡识别码, to match the chip the printer fed), a reservation from a
/// given hopper, the fed card taking over the reservation, 退库. Each call is one transaction.
extension PostgresOutletBooks {
    /// Reserves a card of `bank` from this desk's hoppers (`hopper` only, when given). The card
    /// this desk already reserved for the application is given back (a repeat after a lost
    /// answer); one reserved at another desk is refused.
    public func reserveCard(bank: String, applicationID: String, fromHopper hopper: Hopper?, by clerk: String) async throws -> PreMadeCard {
        try Self.requireClerk(clerk)
        return try await transaction { c, at in
            if let held = try await self.card(c, "state = 'reserved' AND application_id = ", applicationID) {
                let number = try Self.cardNumber(held.number)
                guard held.desk == self.desk, let card = try await self.wholeCard(c, number) else {
                    throw InventoryError.alreadyReserved(applicationID: applicationID, cardNumber: number)
                }
                return card
            }
            if let issued = try await self.card(c, "state = 'issued' AND application_id = ", applicationID) {
                throw InventoryError.alreadyIssued(applicationID: applicationID, cardNumber: try Self.cardNumber(issued.number))
            }
            var free: (String, Int)?
            // As `reserve`: SKIP LOCKED first, then waiting for a lock another desk's load holds.
            for lock in Self.freeCardLocks where free == nil {
                let query: PostgresQuery
                if let hopper {
                    query = """
                        SELECT card_number, hopper FROM pre_made_card
                        WHERE outlet = \(self.outlet) AND desk = \(self.desk) AND state = 'inHopper' AND bank = \(bank)
                        AND hopper = \(hopper.rawValue)
                        ORDER BY import_id, sequence LIMIT 1 \(unescaped: lock)
                        """
                } else {
                    query = """
                        SELECT card_number, hopper FROM pre_made_card
                        WHERE outlet = \(self.outlet) AND desk = \(self.desk) AND state = 'inHopper' AND bank = \(bank)
                        ORDER BY hopper, import_id, sequence LIMIT 1 \(unescaped: lock)
                        """
                }
                for try await (n, h) in try await c.query(query, logger: self.logger).decode((String, Int).self) { free = (n, h) }
            }
            guard let free, let from = Hopper(rawValue: free.1) else { throw InventoryError.noCardInHopper(bank: bank) }
            try await self.move(c, free.0, from: "inHopper", fromPlace: self.place(from), to: "reserved", hopper: from,
                                application: applicationID, spoilReason: nil, reason: nil, action: "card.reserve", bank: bank,
                                clerk: clerk, at: at)
            return try await self.requireWholeCard(c, try Self.cardNumber(free.0))
        }
    }

    /// The card with this 社保卡号 in the outlet's books.
    public func card(_ number: CardNumber) async throws -> PreMadeCard? {
        try await run { c in try await self.wholeCard(c, number) }
    }

    /// The card with this 卡识别码 in the outlet's books.
    public func card(identifiedBy code: CardIdentificationCode) async throws -> PreMadeCard? {
        try await run { c in
            try await self.wholeCards(c, """
                SELECT \(unescaped: Self.cardColumns) FROM pre_made_card
                WHERE outlet = \(self.outlet) AND card_identification_code = \(code.hex)
                """).first
        }
    }

    /// The card reserved for `applicationID`, at whichever desk.
    public func reservation(for applicationID: String) async throws -> PreMadeCard? {
        try await run { c in
            try await self.wholeCards(c, """
                SELECT \(unescaped: Self.cardColumns) FROM pre_made_card
                WHERE outlet = \(self.outlet) AND state = 'reserved' AND application_id = \(applicationID)
                """).first
        }
    }

    /// The printer fed `fedNumber`: the reservation of `applicationID` moves to it (it must sit
    /// in the same hopper of the same desk) and the card reserved before stays in the hopper.
    public func confirmFedCard(_ fedNumber: CardNumber, applicationID: String, by clerk: String) async throws -> PreMadeCard {
        try Self.requireClerk(clerk)
        return try await transaction { c, at in
            guard let held = try await self.card(c, "state = 'reserved' AND application_id = ", applicationID),
                  let reserved = try await self.lockedCard(c, try Self.cardNumber(held.number)), reserved.state == "reserved" else {
                throw InventoryError.noReservation(applicationID: applicationID)
            }
            if reserved.number == fedNumber.value { return try await self.requireWholeCard(c, fedNumber) }
            guard let fed = try await self.lockedCard(c, fedNumber) else { throw InventoryError.unknownCard(fedNumber) }
            let reservedHopper = reserved.hopper.flatMap { Hopper(rawValue: $0) }
            guard fed.state == "inHopper", fed.desk == reserved.desk, fed.hopper == reserved.hopper, let hopper = reservedHopper else {
                throw InventoryError.fedCardNotInHopper(cardNumber: fedNumber, state: fed.kindState, expected: reservedHopper)
            }
            try await self.move(c, reserved.number, from: "reserved", fromPlace: reserved.place, to: "inHopper", hopper: hopper,
                                application: applicationID, spoilReason: nil, reason: "fed \(fedNumber.value) instead",
                                action: "card.release", bank: reserved.bank, clerk: clerk, at: at, keepDesk: reserved.desk)
            try await self.move(c, fed.number, from: "inHopper", fromPlace: fed.place, to: "reserved", hopper: hopper,
                                application: applicationID, spoilReason: nil, reason: "fed instead of \(reserved.number)",
                                action: "card.reserve", bank: fed.bank, clerk: clerk, at: at, keepDesk: fed.desk)
            return try await self.requireWholeCard(c, fedNumber)
        }
    }

    /// 退库: a card from a hopper or a reservation goes back to the outlet's safe unused.
    public func returnToStock(_ number: CardNumber, by clerk: String) async throws {
        try Self.requireClerk(clerk)
        try await transaction { c, at in
            guard let card = try await self.lockedCard(c, number) else { throw InventoryError.unknownCard(number) }
            if card.state == "returned" { return }
            guard card.state == "inHopper" || card.state == "reserved" else {
                throw InventoryError.notAllowed(cardNumber: number, state: card.kindState, action: .returnToStock)
            }
            try await self.move(c, card.number, from: card.state, fromPlace: card.place, to: "returned", hopper: nil,
                                application: card.application, spoilReason: nil, reason: nil, action: "card.return",
                                bank: card.bank, clerk: clerk, at: at)
        }
    }

    // MARK: Whole cards

    static let cardColumns = """
        card_number, card_identification_code, reset_code, bank, bank_card_number, packing_position, state, hopper,
        application_id, spoil_reason, updated_at, updated_by, desk
        """

    func wholeCard(_ c: PostgresConnection, _ number: CardNumber) async throws -> PreMadeCard? {
        try await wholeCards(c, """
            SELECT \(unescaped: Self.cardColumns) FROM pre_made_card WHERE outlet = \(outlet) AND card_number = \(number.value)
            """).first
    }

    func requireWholeCard(_ c: PostgresConnection, _ number: CardNumber) async throws -> PreMadeCard {
        guard let card = try await wholeCard(c, number) else { throw InventoryError.unknownCard(number) }
        return card
    }

    func wholeCards(_ c: PostgresConnection, _ q: PostgresQuery) async throws -> [PreMadeCard] {
        var out: [PreMadeCard] = []
        let rows = try await c.query(q, logger: logger)
        for try await row in rows {
            let r = row.makeRandomAccess()
            let number = try Self.cardNumber(try r[0].decode(String.self))
            let code = try r[1].decode(String.self)
            guard let cic = CardIdentificationCode(hex: code) else {
                throw InventoryError.corruptRow(cardNumber: number.value, column: "card_identification_code")
            }
            let hopper = try r[7].decode(Int?.self).flatMap { Hopper(rawValue: $0) }
            let application = try r[8].decode(String?.self)
            let state: PreMadeCardState
            switch try r[6].decode(String.self) {
            case "inStock": state = .inStock
            case "inHopper":
                guard let hopper else { throw InventoryError.corruptRow(cardNumber: number.value, column: "hopper") }
                state = .inHopper(hopper)
            case "reserved": state = .reserved(applicationID: application ?? "")
            case "issued": state = .issued(applicationID: application ?? "")
            case "spoiled": state = .spoiled(reason: try r[9].decode(String?.self) ?? "")
            case "returned": state = .returned
            default: throw InventoryError.corruptRow(cardNumber: number.value, column: "state")
            }
            let at = try r[10].decode(String.self)
            out.append(PreMadeCard(outletCard: number, cardIdentificationCode: cic, resetCode: try r[2].decode(String.self),
                                   bank: try r[3].decode(String.self), bankCardNumber: try r[4].decode(String.self),
                                   packingPosition: try r[5].decode(String.self), state: state, hopper: hopper,
                                   desk: try r[12].decode(String?.self),
                                   updatedAt: StationTimestamp(text: at) ?? StationTimestamp(.distantPast),
                                   updatedBy: try r[11].decode(String.self)))
        }
        return out
    }
}
