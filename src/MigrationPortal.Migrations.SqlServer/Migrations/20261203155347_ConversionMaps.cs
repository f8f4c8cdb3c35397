using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ConversionMaps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "NetworkMaps",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    SourceConnectionId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    DestinationConnectionId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    EntriesJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    UpdatedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NetworkMaps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NetworkMaps_Connections_DestinationConnectionId",
                        column: x => x.DestinationConnectionId,
                        principalTable: "Connections",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_NetworkMaps_Connections_SourceConnectionId",
                        column: x => x.SourceConnectionId,
                        principalTable: "Connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StorageMaps",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    SourceConnectionId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    DestinationConnectionId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    EntriesJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    UpdatedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StorageMaps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StorageMaps_Connections_DestinationConnectionId",
                        column: x => x.DestinationConnectionId,
                        principalTable: "Connections",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_StorageMaps_Connections_SourceConnectionId",
                        column: x => x.SourceConnectionId,
                        principalTable: "Connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_NetworkMaps_DestinationConnectionId",
                table: "NetworkMaps",
                column: "DestinationConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_NetworkMaps_SourceConnectionId_DestinationConnectionId_Name",
                table: "NetworkMaps",
                columns: new[] { "SourceConnectionId", "DestinationConnectionId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StorageMaps_DestinationConnectionId",
                table: "StorageMaps",
                column: "DestinationConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_StorageMaps_SourceConnectionId_DestinationConnectionId_Name",
                table: "StorageMaps",
                columns: new[] { "SourceConnectionId", "DestinationConnectionId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "NetworkMaps");

            migrationBuilder.DropTable(
                name: "StorageMaps");
        }
    }
}
