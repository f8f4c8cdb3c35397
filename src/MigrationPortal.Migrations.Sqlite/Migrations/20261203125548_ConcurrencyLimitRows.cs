using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ConcurrencyLimitRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConcurrencyLimitValues",
                columns: table => new
                {
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Resource = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Value = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConcurrencyLimitValues", x => new { x.Kind, x.Resource });
                });

            // Data: the one row of per-vendor columns becomes one row per (kind, resource). The demo kind simulates vSphere and
            // was limited by its columns, so it gets their values as rows of its own. Only a row an Administrator saved exists.
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'vsphere', 'host', \"VSphereMigrationsPerHost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'vsphere', 'host-storage', \"VSphereStorageMigrationsPerHost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'vsphere', 'datastore-budget', \"DatastoreBudget\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'vsphere', 'datastore-cost-compute', \"ComputeMigrationDatastoreCost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'vsphere', 'datastore-cost-storage', \"StorageMigrationDatastoreCost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'demo', 'host', \"VSphereMigrationsPerHost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'demo', 'host-storage', \"VSphereStorageMigrationsPerHost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'demo', 'datastore-budget', \"DatastoreBudget\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'demo', 'datastore-cost-compute', \"ComputeMigrationDatastoreCost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'demo', 'datastore-cost-storage', \"StorageMigrationDatastoreCost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'libvirt', 'host-out', \"KvmOutgoingPerHost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'libvirt', 'host-in', \"KvmIncomingPerHost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'libvirt', 'datastore-budget', \"DatastoreBudget\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'libvirt', 'datastore-cost-compute', \"ComputeMigrationDatastoreCost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'libvirt', 'datastore-cost-storage', \"StorageMigrationDatastoreCost\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'portal', 'global', \"Global\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimitValues\" (\"Kind\", \"Resource\", \"Value\", \"UpdatedBy\", \"UpdatedAt\") SELECT 'portal', 'per-connection', \"PerConnection\", \"UpdatedBy\", \"UpdatedAt\" FROM \"ConcurrencyLimits\" WHERE \"UpdatedAt\" IS NOT NULL;");

            migrationBuilder.DropTable(
                name: "ConcurrencyLimits");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConcurrencyLimits",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    ComputeMigrationDatastoreCost = table.Column<int>(type: "INTEGER", nullable: false),
                    DatastoreBudget = table.Column<int>(type: "INTEGER", nullable: false),
                    Global = table.Column<int>(type: "INTEGER", nullable: false),
                    KvmIncomingPerHost = table.Column<int>(type: "INTEGER", nullable: false),
                    KvmOutgoingPerHost = table.Column<int>(type: "INTEGER", nullable: false),
                    PerConnection = table.Column<int>(type: "INTEGER", nullable: false),
                    StorageMigrationDatastoreCost = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    VSphereMigrationsPerHost = table.Column<int>(type: "INTEGER", nullable: false),
                    VSphereStorageMigrationsPerHost = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConcurrencyLimits", x => x.Id);
                });

            // Data: back to one row of columns, from the shipped kinds' rows (defaults where a row is missing); other kinds' rows are lost.
            migrationBuilder.Sql("INSERT INTO \"ConcurrencyLimits\" (\"Id\", \"VSphereMigrationsPerHost\", \"VSphereStorageMigrationsPerHost\", \"KvmOutgoingPerHost\", \"KvmIncomingPerHost\", \"DatastoreBudget\", \"ComputeMigrationDatastoreCost\", \"StorageMigrationDatastoreCost\", \"PerConnection\", \"Global\", \"UpdatedBy\", \"UpdatedAt\") SELECT 1, COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'vsphere' AND \"Resource\" = 'host'), 8), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'vsphere' AND \"Resource\" = 'host-storage'), 2), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'libvirt' AND \"Resource\" = 'host-out'), 2), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'libvirt' AND \"Resource\" = 'host-in'), 2), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'vsphere' AND \"Resource\" = 'datastore-budget'), 128), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'vsphere' AND \"Resource\" = 'datastore-cost-compute'), 1), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'vsphere' AND \"Resource\" = 'datastore-cost-storage'), 16), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'portal' AND \"Resource\" = 'per-connection'), 32), COALESCE((SELECT \"Value\" FROM \"ConcurrencyLimitValues\" WHERE \"Kind\" = 'portal' AND \"Resource\" = 'global'), 64), (SELECT MAX(\"UpdatedBy\") FROM \"ConcurrencyLimitValues\"), (SELECT MAX(\"UpdatedAt\") FROM \"ConcurrencyLimitValues\") WHERE EXISTS (SELECT 1 FROM \"ConcurrencyLimitValues\");");

            migrationBuilder.DropTable(
                name: "ConcurrencyLimitValues");
        }
    }
}
