using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ConnectorSupport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Disks",
                table: "Vms",
                type: "character varying(4096)",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Networks",
                table: "Vms",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "SnapshotCount",
                table: "Vms",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "DowntimeMs",
                table: "Requests",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CaCertificatePem",
                table: "Connections",
                type: "character varying(16384)",
                maxLength: 16384,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClientCertificatePem",
                table: "Connections",
                type: "character varying(16384)",
                maxLength: 16384,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProtectedClientKey",
                table: "Connections",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Networks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Hosts = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Networks", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Networks_ConnectionId_ExternalId",
                table: "Networks",
                columns: new[] { "ConnectionId", "ExternalId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Networks");

            migrationBuilder.DropColumn(
                name: "Disks",
                table: "Vms");

            migrationBuilder.DropColumn(
                name: "Networks",
                table: "Vms");

            migrationBuilder.DropColumn(
                name: "SnapshotCount",
                table: "Vms");

            migrationBuilder.DropColumn(
                name: "DowntimeMs",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "CaCertificatePem",
                table: "Connections");

            migrationBuilder.DropColumn(
                name: "ClientCertificatePem",
                table: "Connections");

            migrationBuilder.DropColumn(
                name: "ProtectedClientKey",
                table: "Connections");
        }
    }
}
