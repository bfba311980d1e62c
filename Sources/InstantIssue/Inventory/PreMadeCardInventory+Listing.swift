import Foundation
import GRDB

/// Listing the books for the clerk's `inventory list`.
extension PreMadeCardInventory {
    /// Cards on the books in import order (batch, then line), optionally only those in `state`
    /// and of `bank`; at most `limit` when given.
    public func cards(state: PreMadeCardState.Kind? = nil, bank: String? = nil, limit: Int? = nil) throws -> [PreMadeCard] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let state {
            conditions.append("state = ?")
            arguments += [state.rawValue]
        }
        if let bank {
            conditions.append("bank = ?")
            arguments += [bank]
        }
        var sql = "SELECT * FROM pre_made_card"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY import_id, sequence"
        if let limit {
            sql += " LIMIT ?"
            arguments += [max(0, limit)]
        }
        let statementArguments = arguments
        return try database.pool.read { db in
            try PreMadeCard.fetchAll(db, sql: sql, arguments: statementArguments)
        }
    }

    /// The banks that have cards on the books, sorted.
    public func banks() throws -> [String] {
        try database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT bank FROM pre_made_card ORDER BY bank")
        }
    }
}
