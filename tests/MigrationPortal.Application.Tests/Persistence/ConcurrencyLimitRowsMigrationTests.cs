using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Persistence;

/// <summary>
/// The migration that turned the one-row, column-per-vendor limits table into (kind, resource) rows keeps what an
/// Administrator had saved, on SQLite and PostgreSQL: each column becomes the row of the kind it limited.
/// </summary>
public sealed class ConcurrencyLimitRowsMigrationTests
{
    private sealed record Row(string Kind, string Resource, int Value, string UpdatedBy);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Migrate_CopiesSavedLimitColumnsIntoRows_WhenAnAdministratorHadSavedThem(DatabaseProvider provider)
    {
        var (connectionString, drop) = await TestDatabases.CreateAsync(provider);
        try
        {
            await using var db = new PortalDbContext(PortalDbContextOptions.For(provider, connectionString));
            var migrations = db.Database.GetMigrations().ToList();
            var rows = migrations.FindIndex(m => m.EndsWith("_ConcurrencyLimitRows", StringComparison.Ordinal));
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(migrations[rows - 1]);

            var savedAt = provider == DatabaseProvider.Sqlite ? "0" : "'2026-12-01T10:00:00Z'";
            // The old table as an Administrator's save left it; the time literal is the provider's own (a constant, not input).
            var insert =
                "INSERT INTO \"ConcurrencyLimits\" (\"Id\", \"VSphereMigrationsPerHost\", \"VSphereStorageMigrationsPerHost\", \"KvmOutgoingPerHost\", \"KvmIncomingPerHost\", " +
                "\"DatastoreBudget\", \"ComputeMigrationDatastoreCost\", \"StorageMigrationDatastoreCost\", \"PerConnection\", \"Global\", \"UpdatedBy\", \"UpdatedAt\") " +
                $"VALUES (1, 3, 1, 5, 6, 100, 2, 20, 10, 40, 'Adam', {savedAt})";
            await db.Database.ExecuteSqlRawAsync(insert);
            await migrator.MigrateAsync();

            var stored = (await db.Database.SqlQueryRaw<Row>("SELECT \"Kind\", \"Resource\", \"Value\", \"UpdatedBy\" FROM \"ConcurrencyLimitValues\"").ToListAsync())
                .ToDictionary(r => (r.Kind, r.Resource), r => r.Value);
            Assert.Equal(3, stored[("vsphere", "host")]);
            Assert.Equal(3, stored[("demo", "host")]);
            Assert.Equal(1, stored[("vsphere", "host-storage")]);
            Assert.Equal((5, 6), (stored[("libvirt", "host-out")], stored[("libvirt", "host-in")]));
            Assert.Equal((100, 2, 20), (stored[("libvirt", "datastore-budget")], stored[("libvirt", "datastore-cost-compute")], stored[("libvirt", "datastore-cost-storage")]));
            Assert.Equal((10, 40), (stored[("portal", "per-connection")], stored[("portal", "global")]));
            Assert.Equal(17, stored.Count);
            Assert.All(await db.Database.SqlQueryRaw<Row>("SELECT \"Kind\", \"Resource\", \"Value\", \"UpdatedBy\" FROM \"ConcurrencyLimitValues\"").ToListAsync(), r => Assert.Equal("Adam", r.UpdatedBy));
        }
        finally
        {
            await drop();
        }
    }
}
