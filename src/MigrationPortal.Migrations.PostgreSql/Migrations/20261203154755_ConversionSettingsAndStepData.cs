using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ConversionSettingsAndStepData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Data",
                table: "RequestSteps",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConversionJson",
                table: "Requests",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Data",
                table: "RequestSteps");

            migrationBuilder.DropColumn(
                name: "ConversionJson",
                table: "Requests");
        }
    }
}
