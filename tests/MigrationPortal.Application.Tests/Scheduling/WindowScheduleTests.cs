using MigrationPortal.Application.Common;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>Maintenance windows and blackouts across daylight-saving changes, and the planner that places a migration in them.</summary>
public class WindowScheduleTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void RRule_KeepsLocalStart_AcrossBerlinSpringForwardAndFallBack()
    {
        var nightly = new WindowSchedule(RecurrenceKind.RRule, "FREQ=DAILY", "Europe/Berlin", new DateTime(2026, 1, 1, 22, 0, 0), TimeSpan.FromHours(4));

        var spring = nightly.Occurrences(Utc(3, 27, 12), Utc(3, 30, 12)).Select(s => s.Start).ToList();
        Assert.Equal([Utc(3, 27, 21), Utc(3, 28, 21), Utc(3, 29, 20)], spring); // 22:00 CET = 21:00Z, then 22:00 CEST = 20:00Z

        var autumn = nightly.Occurrences(Utc(10, 23, 12), Utc(10, 26, 12)).ToList();
        Assert.Equal([Utc(10, 23, 20), Utc(10, 24, 20), Utc(10, 25, 21)], autumn.Select(s => s.Start));
        Assert.All(autumn, s => Assert.Equal(TimeSpan.FromHours(4), s.End - s.Start)); // elapsed time, also over the change
    }

    [Fact]
    public void Cron_KeepsLocalStart_AcrossNewYorkChanges_AndTakesTheRepeatedHourOnce()
    {
        var early = new WindowSchedule(RecurrenceKind.Cron, "0 1 * * *", "America/New_York", default, TimeSpan.FromHours(3));

        var spring = early.Occurrences(Utc(3, 7, 12), Utc(3, 9, 12)).Select(s => s.Start).ToList();
        Assert.Equal([Utc(3, 8, 6), Utc(3, 9, 5)], spring); // 01:00 EST = 06:00Z; 01:00 EDT = 05:00Z

        var autumn = early.Occurrences(Utc(10, 31, 12), Utc(11, 2, 12)).Select(s => s.Start).ToList();
        Assert.Equal([Utc(11, 1, 5), Utc(11, 2, 6)], autumn); // 01:00 happens twice on 1 November: one window, at the first
    }

    [Fact]
    public void Cron_MovesAStartInTheSpringGapForward_NotAway()
    {
        var gap = new WindowSchedule(RecurrenceKind.Cron, "30 2 * * *", "Europe/Berlin", default, TimeSpan.FromHours(1));
        var onChangeDay = gap.Occurrences(Utc(3, 28, 23), Utc(3, 29, 22)).ToList();
        var slot = Assert.Single(onChangeDay);
        Assert.InRange(slot.Start, Utc(3, 29, 1), Utc(3, 29, 1, 59)); // 02:30 does not exist; it runs once, just after the jump
    }

    [Fact]
    public void Planner_StartsAtTheWindowsStart_NotBefore()
    {
        var saturday = new WindowSchedule(RecurrenceKind.RRule, "FREQ=WEEKLY;BYDAY=SA", "Europe/Berlin", new DateTime(2026, 1, 3, 22, 0, 0), TimeSpan.FromHours(6));
        var start = WindowPlanner.EarliestStart([saturday], [], Utc(11, 25, 9), TimeSpan.FromHours(1), TimeSpan.FromDays(30));
        Assert.Equal(Utc(11, 28, 21), start); // Saturday 28 November, 22:00 CET
    }

    [Fact]
    public void Planner_SkipsABlackoutInsideTheWindow_AndDefersWhatNoLongerFits()
    {
        var nightly = new WindowSchedule(RecurrenceKind.Cron, "0 22 * * *", "UTC", default, TimeSpan.FromHours(6)); // 22:00-04:00
        var freeze = new WindowSchedule(RecurrenceKind.OneOff, null, "UTC", new DateTime(2026, 11, 25, 23, 0, 0), TimeSpan.FromHours(2)); // 23:00-01:00
        var notBefore = Utc(11, 25, 12);

        Assert.Equal(Utc(11, 25, 22), WindowPlanner.EarliestStart([nightly], [freeze], notBefore, TimeSpan.FromHours(1), TimeSpan.FromDays(7)));
        Assert.Equal(Utc(11, 26, 1), WindowPlanner.EarliestStart([nightly], [freeze], notBefore, TimeSpan.FromHours(2), TimeSpan.FromDays(7)));
        // 3.5 h fits neither before the freeze (1 h left) nor after it (3 h left): the next night.
        Assert.Equal(Utc(11, 26, 22), WindowPlanner.EarliestStart([nightly], [freeze], notBefore, TimeSpan.FromHours(3.5), TimeSpan.FromDays(7)));
        Assert.Null(WindowPlanner.EarliestStart([nightly], [freeze], notBefore, TimeSpan.FromHours(7), TimeSpan.FromDays(7)));
    }

    [Theory]
    [InlineData(RecurrenceKind.RRule, "FREQ=SOMETIMES", "Europe/Berlin", 60, "Expression")]
    [InlineData(RecurrenceKind.RRule, "BYDAY=SA", "Europe/Berlin", 60, "Expression")]
    [InlineData(RecurrenceKind.Cron, "61 25 * * *", "Europe/Berlin", 60, "Expression")]
    [InlineData(RecurrenceKind.Cron, "0 22 * * *", "Europe/Atlantis", 60, "TimeZoneId")]
    [InlineData(RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin", 0, "Duration")]
    [InlineData(RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin", -30, "Duration")]
    public void Validate_NamesTheBadField(RecurrenceKind kind, string expression, string zone, int minutes, string field)
    {
        var schedule = new WindowSchedule(kind, expression, zone, new DateTime(2026, 1, 1, 22, 0, 0), TimeSpan.FromMinutes(minutes));
        var error = Assert.Throws<ValidationFailedException>(schedule.Validate);
        Assert.Contains(field, error.Errors.Keys);
    }
}
