using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class PlacementRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ClusterHeadrooms",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClusterName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CpuPercent = table.Column<int>(type: "integer", nullable: false),
                    MemoryPercent = table.Column<int>(type: "integer", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClusterHeadrooms", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ClusterHeadrooms_Connections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "Connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PlacementRules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Enforcement = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlacementRules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PlacementRules_Connections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "Connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PlacementRuleHosts",
                columns: table => new
                {
                    RuleId = table.Column<Guid>(type: "uuid", nullable: false),
                    HostId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlacementRuleHosts", x => new { x.RuleId, x.HostId });
                    table.ForeignKey(
                        name: "FK_PlacementRuleHosts_Hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "Hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_PlacementRuleHosts_PlacementRules_RuleId",
                        column: x => x.RuleId,
                        principalTable: "PlacementRules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PlacementRuleVms",
                columns: table => new
                {
                    RuleId = table.Column<Guid>(type: "uuid", nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlacementRuleVms", x => new { x.RuleId, x.VmId });
                    table.ForeignKey(
                        name: "FK_PlacementRuleVms_PlacementRules_RuleId",
                        column: x => x.RuleId,
                        principalTable: "PlacementRules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_PlacementRuleVms_Vms_VmId",
                        column: x => x.VmId,
                        principalTable: "Vms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClusterHeadrooms_ConnectionId_ClusterName",
                table: "ClusterHeadrooms",
                columns: new[] { "ConnectionId", "ClusterName" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PlacementRuleHosts_HostId",
                table: "PlacementRuleHosts",
                column: "HostId");

            migrationBuilder.CreateIndex(
                name: "IX_PlacementRules_ConnectionId_Name",
                table: "PlacementRules",
                columns: new[] { "ConnectionId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PlacementRuleVms_VmId",
                table: "PlacementRuleVms",
                column: "VmId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ClusterHeadrooms");

            migrationBuilder.DropTable(
                name: "PlacementRuleHosts");

            migrationBuilder.DropTable(
                name: "PlacementRuleVms");

            migrationBuilder.DropTable(
                name: "PlacementRules");
        }
    }
}
