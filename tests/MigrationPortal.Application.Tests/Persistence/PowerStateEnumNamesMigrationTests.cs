using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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

            var connection = new Connection("old vc", ConnectionKinds.VSphere, "https://vc.example/sdk");
            db.Connections.Add(connection);
            db.Hosts.AddRange(
                new InventoryHost { ConnectionId = connection.Id, ExternalId = "host-1", Name = "esx-1" },
                new InventoryHost { ConnectionId = connection.Id, ExternalId = "host-2", Name = "esx-2" });
            db.Vms.AddRange(
                new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-1", Name = "on" },
                new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-2", Name = "off" },
                new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-3", Name = "suspended" },
                new InventoryVm { ConnectionId = connection.Id, ExternalId = "vm-4", Name = "unknown" });
            await db.SaveChangesAsync();
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
}
