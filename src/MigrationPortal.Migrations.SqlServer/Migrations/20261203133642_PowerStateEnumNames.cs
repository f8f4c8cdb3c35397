using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class PowerStateEnumNames : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Data: vCenter's words, which the old converter kept in these columns, become the PowerState enum's names, now stored
            // as they are; anything else was read as Unknown and is now written so.
            migrationBuilder.Sql("UPDATE \"Hosts\" SET \"PowerState\" = CASE WHEN \"PowerState\" = 'poweredOn' THEN 'On' WHEN \"PowerState\" = 'poweredOff' THEN 'Off' WHEN \"PowerState\" = 'suspended' THEN 'Suspended' WHEN \"PowerState\" IN ('On', 'Off', 'Suspended', 'Unknown') THEN \"PowerState\" ELSE 'Unknown' END;");
            migrationBuilder.Sql("UPDATE \"Vms\" SET \"PowerState\" = CASE WHEN \"PowerState\" = 'poweredOn' THEN 'On' WHEN \"PowerState\" = 'poweredOff' THEN 'Off' WHEN \"PowerState\" = 'suspended' THEN 'Suspended' WHEN \"PowerState\" IN ('On', 'Off', 'Suspended', 'Unknown') THEN \"PowerState\" ELSE 'Unknown' END;");

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Data: back to the words the old converter read.
            migrationBuilder.Sql("UPDATE \"Hosts\" SET \"PowerState\" = CASE \"PowerState\" WHEN 'On' THEN 'poweredOn' WHEN 'Off' THEN 'poweredOff' WHEN 'Suspended' THEN 'suspended' ELSE 'unknown' END;");
            migrationBuilder.Sql("UPDATE \"Vms\" SET \"PowerState\" = CASE \"PowerState\" WHEN 'On' THEN 'poweredOn' WHEN 'Off' THEN 'poweredOff' WHEN 'Suspended' THEN 'suspended' ELSE 'unknown' END;");

        }
    }
}
