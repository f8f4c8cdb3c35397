using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class PostMoveWatch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PostMoveWatches",
                columns: table => new
                {
                    RequestId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    VmId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    MoveStartedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    State = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    EvaluatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    Summary = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    Figures = table.Column<string>(type: "nvarchar(max)", maxLength: 8000, nullable: false),
                    RollbackRequestId = table.Column<Guid>(type: "uniqueidentifier", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PostMoveWatches", x => x.RequestId);
                    table.ForeignKey(
                        name: "FK_PostMoveWatches_Requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "Requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PostMoveWatches_State_EndsAt",
                table: "PostMoveWatches",
                columns: new[] { "State", "EndsAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PostMoveWatches");
        }
    }
}
