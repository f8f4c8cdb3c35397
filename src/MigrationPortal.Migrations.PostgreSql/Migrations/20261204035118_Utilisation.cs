using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class Utilisation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LastUtilisationAt",
                table: "Connections",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUtilisationError",
                table: "Connections",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "UtilisationSamples",
                columns: table => new
                {
                    SubjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    ResolutionSeconds = table.Column<int>(type: "integer", nullable: false),
                    SlotStart = table.Column<long>(type: "bigint", nullable: false),
                    CpuUsedMhz = table.Column<float>(type: "real", nullable: false),
                    CpuCapacityMhz = table.Column<float>(type: "real", nullable: true),
                    MemoryUsedMb = table.Column<int>(type: "integer", nullable: false),
                    MemoryCapacityMb = table.Column<int>(type: "integer", nullable: true),
                    CpuReadyPercent = table.Column<float>(type: "real", nullable: true),
                    DiskReadBytesPerSecond = table.Column<float>(type: "real", nullable: true),
                    DiskWriteBytesPerSecond = table.Column<float>(type: "real", nullable: true),
                    NetworkReceiveBytesPerSecond = table.Column<float>(type: "real", nullable: true),
                    NetworkTransmitBytesPerSecond = table.Column<float>(type: "real", nullable: true),
                    SampleCount = table.Column<short>(type: "smallint", nullable: false)
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
