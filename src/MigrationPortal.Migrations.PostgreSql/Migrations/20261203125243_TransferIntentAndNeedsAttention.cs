using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class TransferIntentAndNeedsAttention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Requests_VmId_Active",
                table: "Requests");

            migrationBuilder.AddColumn<string>(
                name: "AttentionReason",
                table: "Requests",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TransferIntentAt",
                table: "Requests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Requests_VmId_Active",
                table: "Requests",
                column: "VmId",
                unique: true,
                filter: "\"State\" IN ('Submitted', 'PendingApproval', 'Approved', 'Scheduled', 'Running', 'Verifying', 'RollingBack', 'NeedsAttention')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Requests_VmId_Active",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "AttentionReason",
                table: "Requests");

            migrationBuilder.DropColumn(
                name: "TransferIntentAt",
                table: "Requests");

            migrationBuilder.CreateIndex(
                name: "IX_Requests_VmId_Active",
                table: "Requests",
                column: "VmId",
                unique: true,
                filter: "\"State\" IN ('Submitted', 'PendingApproval', 'Approved', 'Scheduled', 'Running', 'Verifying', 'RollingBack')");
        }
    }
}
