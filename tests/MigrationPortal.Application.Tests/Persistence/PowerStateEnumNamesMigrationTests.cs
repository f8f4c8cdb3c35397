using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Metadata;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Persistence;

/// <summary>
/// Hosts and VMs stored vCenter's power words ("poweredOn") before PowerState was an enum. The migration rewrites them to
/// the enum's names, which is how the column is now written and read, on SQLite and PostgreSQL.
/// </summary>
public sealed class PowerStateEnumNamesMigrationTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Migrate_RewritesVCenterPowerWordsToEnumNames_WhenRowsHeldTheOldWords(DatabaseProvider provider)
    {
        var (connectionString, drop) = await TestDatabases.CreateAsync(provider);
        try
        {
            await using var db = new PortalDbContext(PortalDbContextOptions.For(provider, connectionString));
            var migrations = db.Database.GetMigrations().ToList();
            var index = migrations.FindIndex(m => m.EndsWith("_PowerStateEnumNames", StringComparison.Ordinal));
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(migrations[index - 1]);

            // The rows are written as the schema stood before the migration: only the columns that existed then (a later
            // migration's column, such as Connections.LastUtilisationAt, is not there yet to be written).
            var connection = new Connection("old vc", ConnectionKinds.VSphere, "https://vc.example/sdk");
            await InsertAsync(db, connection);
            foreach (var host in new[]
                     {
                         new InventoryHost { ConnectionId = connection.Id, ExternalId = "host-1", Name = "esx-1" },
                         new InventoryHost { ConnectionId = connection.Id, ExternalId = "host-2", Name = "esx-2" },
                     })
                await InsertAsync(db, host);
            foreach (var vm in new[]
                     {
                         new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-1", Name = "on" },
                         new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-2", Name = "off" },
                         new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-3", Name = "suspended" },
                         new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-4", Name = "unknown" },
                     })
                await InsertAsync(db, vm);
            // What the old converter wrote: vCenter's words.
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Hosts\" SET \"PowerState\" = CASE \"ExternalId\" WHEN 'host-1' THEN 'poweredOn' ELSE 'poweredOff' END");
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Vms\" SET \"PowerState\" = CASE \"Name\" WHEN 'on' THEN 'poweredOn' WHEN 'off' THEN 'poweredOff' WHEN 'suspended' THEN 'suspended' ELSE 'unknown' END");

            await migrator.MigrateAsync();

            Assert.Equal(["Off", "On"], await db.Database.SqlQueryRaw<string>("SELECT \"PowerState\" AS \"Value\" FROM \"Hosts\"").OrderBy(v => v).ToListAsync());
            Assert.Equal(["Off", "On", "Suspended", "Unknown"], await db.Database.SqlQueryRaw<string>("SELECT \"PowerState\" AS \"Value\" FROM \"Vms\"").OrderBy(v => v).ToListAsync());
            db.ChangeTracker.Clear();
            var vms = await db.Vms.AsNoTracking().ToDictionaryAsync(v => v.Name, v => v.PowerState);
            Assert.Equal(PowerState.On, vms["on"]);
            Assert.Equal(PowerState.Off, vms["off"]);
            Assert.Equal(PowerState.Suspended, vms["suspended"]);
            Assert.Equal(PowerState.Unknown, vms["unknown"]);
        }
        finally
        {
            await drop();
        }
    }

    /// <summary>
    /// Inserts an entity through today's model, but only into the columns its table has now: the database is migrated to an
    /// older version, and SaveChanges would name columns that later migrations add. Values go through each property's own
    /// type mapping (converters included), as SaveChanges would write them.
    /// </summary>
    private static async Task InsertAsync<T>(PortalDbContext db, T entity) where T : class
    {
        var type = db.Model.FindEntityType(typeof(T))!;
        var table = type.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, type.GetSchema());
        var existing = (db.Database.IsSqlite()
                ? await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM pragma_table_info({0})", table).ToListAsync()
                : await db.Database.SqlQueryRaw<string>("SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_name = {0}", table).ToListAsync())
            .ToHashSet(StringComparer.Ordinal);
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        var columns = new List<string>();
        foreach (var property in type.GetProperties())
        {
            var column = property.GetColumnName(store);
            if (column is null || !existing.Contains(column)) continue;
            var value = property.PropertyInfo?.GetValue(entity) ?? property.FieldInfo?.GetValue(entity);
            command.Parameters.Add(property.GetRelationalTypeMapping().CreateParameter(command, $"@p{columns.Count}", value, property.IsNullable));
            columns.Add(column);
        }

        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
        await command.ExecuteNonQueryAsync();
    }
}
