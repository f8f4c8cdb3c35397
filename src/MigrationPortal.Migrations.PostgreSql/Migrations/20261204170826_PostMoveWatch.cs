using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.PostgreSql.Migrations
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
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    MoveStartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    EvaluatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Figures = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    RollbackRequestId = table.Column<Guid>(type: "uuid", nullable: true)
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
