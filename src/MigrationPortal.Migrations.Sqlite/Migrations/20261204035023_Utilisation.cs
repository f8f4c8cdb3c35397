using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Utilisation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastUtilisationAt",
                table: "Connections",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUtilisationError",
                table: "Connections",
                type: "TEXT",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "UtilisationSamples",
                columns: table => new
                {
                    SubjectId = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ResolutionSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    SlotStart = table.Column<long>(type: "INTEGER", nullable: false),
                    CpuUsedMhz = table.Column<float>(type: "REAL", nullable: false),
                    CpuCapacityMhz = table.Column<float>(type: "REAL", nullable: true),
                    MemoryUsedMb = table.Column<int>(type: "INTEGER", nullable: false),
                    MemoryCapacityMb = table.Column<int>(type: "INTEGER", nullable: true),
                    CpuReadyPercent = table.Column<float>(type: "REAL", nullable: true),
                    DiskReadBytesPerSecond = table.Column<float>(type: "REAL", nullable: true),
                    DiskWriteBytesPerSecond = table.Column<float>(type: "REAL", nullable: true),
                    NetworkReceiveBytesPerSecond = table.Column<float>(type: "REAL", nullable: true),
                    NetworkTransmitBytesPerSecond = table.Column<float>(type: "REAL", nullable: true),
                    SampleCount = table.Column<short>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UtilisationSamples", x => new { x.SubjectId, x.ResolutionSeconds, x.SlotStart });
                });

            migrationBuilder.CreateIndex(
                name: "IX_UtilisationSamples_ResolutionSeconds_SlotStart",
                table: "UtilisationSamples",
                columns: new[] { "ResolutionSeconds", "SlotStart" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UtilisationSamples");

            migrationBuilder.DropColumn(
                name: "LastUtilisationAt",
                table: "Connections");

            migrationBuilder.DropColumn(
                name: "LastUtilisationError",
                table: "Connections");
        }
    }
}
