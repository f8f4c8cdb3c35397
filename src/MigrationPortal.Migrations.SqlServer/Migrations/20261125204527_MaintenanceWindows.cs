using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class MaintenanceWindows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EstimateBasis",
                table: "Requests",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "EstimatedBytes",
                table: "Requests",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EstimatedSeconds",
                table: "Requests",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PlannedStart",
                table: "Requests",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "QueueReason",
                table: "Requests",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ScheduleWindowId",
                table: "Requests",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Blackouts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Recurrence = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Expression = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    TimeZoneId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    LocalStart = table.Column<string>(type: "nvarchar(19)", maxLength: 19, nullable: false),
                    DurationMinutes = table.Column<int>(type: "int", nullable: false),
                    ScopeKind = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    ScopeConnectionId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    ScopeKey = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: true),
                    ScopeName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    Enabled = table.Column<bool>(type: "bit", nullable: false),
                    UpdatedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Blackouts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CalendarFeeds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    UserName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    TokenHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Roles = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: false),
                    Groups = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CalendarFeeds", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CapacitySlots",
                columns: table => new
                {
                    Resource = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Unit = table.Column<int>(type: "int", nullable: false),
                    ResourceName = table.Column<string>(type: "nvarchar(600)", maxLength: 600, nullable: false),
                    RequestId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AcquiredAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CapacitySlots", x => new { x.Resource, x.Unit });
                });

            migrationBuilder.CreateTable(
                name: "ConcurrencyLimits",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false),
                    VSphereMigrationsPerHost = table.Column<int>(type: "int", nullable: false),
                    VSphereStorageMigrationsPerHost = table.Column<int>(type: "int", nullable: false),
                    KvmOutgoingPerHost = table.Column<int>(type: "int", nullable: false),
                    KvmIncomingPerHost = table.Column<int>(type: "int", nullable: false),
                    DatastoreBudget = table.Column<int>(type: "int", nullable: false),
                    ComputeMigrationDatastoreCost = table.Column<int>(type: "int", nullable: false),
                    StorageMigrationDatastoreCost = table.Column<int>(type: "int", nullable: false),
                    PerConnection = table.Column<int>(type: "int", nullable: false),
                    Global = table.Column<int>(type: "int", nullable: false),
                    UpdatedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConcurrencyLimits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MaintenanceWindows",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Recurrence = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Expression = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    TimeZoneId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    LocalStart = table.Column<string>(type: "nvarchar(19)", maxLength: 19, nullable: false),
                    DurationMinutes = table.Column<int>(type: "int", nullable: false),
                    ScopeKind = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    ScopeConnectionId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    ScopeKey = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: true),
                    ScopeName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    Enabled = table.Column<bool>(type: "bit", nullable: false),
                    UpdatedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MaintenanceWindows", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Blackouts_Name",
                table: "Blackouts",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CalendarFeeds_TokenHash",
                table: "CalendarFeeds",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CalendarFeeds_UserId",
                table: "CalendarFeeds",
                column: "UserId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CapacitySlots_RequestId",
                table: "CapacitySlots",
                column: "RequestId");

            migrationBuilder.CreateIndex(
                name: "IX_MaintenanceWindows_Name",
                table: "MaintenanceWindows",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Blackouts");

            migrationBuilder.DropTable(
                name: "CalendarFeeds");

            migrationBuilder.DropTable(
                name: "CapacitySlots");

            migrationBuilder.DropTable(
                name: "ConcurrencyLimits");

            migrationBuilder.DropTable(
                name: "MaintenanceWindows");

            migrationBuilder.DropColumn(
                name: "EstimateBasis",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "EstimatedBytes",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "EstimatedSeconds",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "PlannedStart",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "QueueReason",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "ScheduleWindowId",
                table: "Requests");
        }
    }
}
