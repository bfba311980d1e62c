import ArgumentParser

/// `issue-station inventory`: the pre-made card stock (预制卡库存), one file per subcommand.
struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: Messages.inventoryAbstract,
        discussion: Messages.inventoryDiscussion,
        subcommands: [InventoryImportCommand.self, InventoryListCommand.self, InventoryLoadCommand.self,
                      InventoryUnloadCommand.self, InventoryStocktakeCommand.self, InventorySpoilCommand.self, InventoryOrderCommand.self])
}
