using System.Diagnostics;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>A rule that opens every second or minute (stored before such rules were refused) expands to a bounded number of occurrences.</summary>
public class WindowFrequencyTests
{
    private static readonly DateTimeOffset From = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(RecurrenceKind.RRule, "FREQ=SECONDLY")]
    [InlineData(RecurrenceKind.RRule, "FREQ=MINUTELY")]
    [InlineData(RecurrenceKind.Cron, "* * * * *")]
    public void Occurrences_StopAtTheCap_WhenAStoredRuleOpensMoreThanHourly(RecurrenceKind kind, string expression)
    {
        // The rule began two months before the query: the expansion must not walk every second since then.
        var schedule = new WindowSchedule(kind, expression, "UTC", From.UtcDateTime.AddDays(-60), TimeSpan.FromMinutes(1));
        var clock = Stopwatch.StartNew();
        var count = schedule.Occurrences(From, From.AddDays(190)).Count();
        clock.Stop();

        // The cap counts what was expanded from one duration before the query (a slot already open at its start).
        Assert.InRange(count, WindowSchedule.MaxOccurrencesPerQuery - 60, WindowSchedule.MaxOccurrencesPerQuery);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{expression}: {clock.Elapsed}");
    }

    [Fact]
    public void Occurrences_AreAllThere_WhenAnHourlyRuleFillsTheCalendarsLongestRange()
    {
        var hourly = new WindowSchedule(RecurrenceKind.RRule, "FREQ=HOURLY", "UTC", From.UtcDateTime, TimeSpan.FromMinutes(30));
        Assert.Equal((int)GetCalendar.MaxRange.TotalHours, hourly.Occurrences(From, From + GetCalendar.MaxRange).Count());
    }

    [Fact]
    public void Occurrences_KeepTheirInstants_WhenAStoredEveryMinuteRuleIsExpandedFarFromItsStart()
    {
        var rule = new WindowSchedule(RecurrenceKind.RRule, "FREQ=MINUTELY;INTERVAL=7", "UTC", new DateTime(2026, 1, 1, 0, 3, 0), TimeSpan.FromMinutes(2));
        var starts = rule.Occurrences(From, From.AddHours(1)).Select(s => s.Start).ToList();
        Assert.NotEmpty(starts);
        // Every start is a whole number of 7-minute steps from the rule's own start, 2026-01-01 00:03, and none is missed.
        var origin = new DateTimeOffset(2026, 1, 1, 0, 3, 0, TimeSpan.Zero);
        Assert.All(starts, s => Assert.Equal(0, (s - origin).Ticks % TimeSpan.FromMinutes(7).Ticks));
        Assert.Equal(Enumerable.Range(0, starts.Count).Select(i => starts[0].AddMinutes(7 * i)), starts);
        Assert.True(starts[0] - From <= TimeSpan.FromMinutes(7));
    }
}
