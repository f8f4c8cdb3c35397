using MigrationPortal.Application.Common;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>The Windows page's zone picker offers only zones the server accepts, and finds them as people type them.</summary>
public sealed class TimeZoneCatalogTests
{
    [Theory]
    [InlineData("new york", "America/New_York")]
    [InlineData("BERLIN", "Europe/Berlin")]
    [InlineData("utc", "UTC")]
    public void Search_FindsTheZone_WhenTypedAsPeopleWriteIt(string typed, string zone) =>
        Assert.Contains(zone, TimeZoneCatalog.Search(typed));

    [Fact]
    public void Search_LeavesOutOtherZones_WhenAWordIsTyped()
    {
        var found = TimeZoneCatalog.Search("berlin");
        Assert.All(found, z => Assert.Contains("Berlin", z));
        Assert.True(TimeZoneCatalog.All.Count > 100, $"{TimeZoneCatalog.All.Count} zones");
    }

    [Fact]
    public void All_AreAcceptedByTheScheduleCheck()
    {
        var refused = new List<string>();
        foreach (var zone in TimeZoneCatalog.All)
        {
            try
            {
                new WindowSchedule(RecurrenceKind.OneOff, null, zone, new DateTime(2027, 1, 1, 22, 0, 0), TimeSpan.FromHours(1)).Validate();
            }
            catch (ValidationFailedException)
            {
                refused.Add(zone);
            }
        }

        Assert.Empty(refused);
    }
}
