using System.Globalization;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Components.Shared;
using MigrationPortal.Web.Tests.Components;
using CalendarPage = MigrationPortal.Web.Components.Pages.Calendar;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>The calendar (issue 13 §4): today marked, cancelled and rolled-back migrations in their own colours, the user's zone.</summary>
public sealed class CalendarPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    private static readonly System.Security.Claims.ClaimsPrincipal Olga = User("u-olga", "Olga", "Operator");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private DateTimeOffset Now => Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    private IRenderedComponent<CalendarPage> RenderIn(TimeZoneInfo zone)
    {
        Services.GetRequiredService<UserTimeZone>().Use(zone);
        var cut = RenderAs<CalendarPage>(Olga);
        cut.WaitForElement("[data-testid=calendar-day]");
        return cut;
    }

    [Fact]
    public void Calendar_MarksTodayInTheUsersZone_AndNoOtherDay()
    {
        var cut = RenderIn(NewYork);

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, NewYork).DateTime);
        var marked = cut.FindAll("[data-testid=calendar-day][data-today=true]");
        var cell = Assert.Single(marked);
        Assert.Equal(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), cell.GetAttribute("data-day"));
        Assert.Equal("date", cell.GetAttribute("aria-current"));
        Assert.Contains("calendar-today", cell.ClassList);
        Assert.Contains("America/New_York", cut.Find("[data-testid=calendar-zone]").TextContent);
    }

    [Fact]
    public async Task Calendar_ShowsCancelledAndRolledBackMigrationsInTheirOwnColours_AtTheirTimeInTheUsersZone()
    {
        // Noon today in New York, so both entries sit in today's cell whatever the hour the test runs.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, NewYork).DateTime);
        var noon = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(new TimeOnly(12, 0)), NewYork), TimeSpan.Zero);
        var (cancelled, rolledBack) = await SeedEndedAsync(noon);

        var cut = RenderIn(NewYork);

        var cell = cut.Find("[data-testid=calendar-day][data-today=true]");
        var entries = cell.QuerySelectorAll("[data-testid=calendar-entry]");
        var c = entries.Single(e => e.TextContent.Contains(cancelled));
        var r = entries.Single(e => e.TextContent.Contains(rolledBack));
        Assert.Equal(nameof(CalendarShade.Cancelled), c.GetAttribute("data-shade"));
        Assert.Equal(nameof(CalendarShade.RolledBack), r.GetAttribute("data-shade"));
        Assert.Contains("(cancelled)", c.TextContent);
        Assert.Contains("(rolled back)", r.TextContent);
        // Started at 12:00 New York time and ended 30 minutes later, shown in that zone (not 16:00 or 17:00 UTC).
        Assert.StartsWith("12:00–12:30", c.TextContent.Trim());

        var backgrounds = new[] { CalendarShade.Window, CalendarShade.Blackout, CalendarShade.Migration, CalendarShade.Cancelled, CalendarShade.RolledBack }
            .Select(CalendarPage.Background).ToList();
        Assert.Equal(backgrounds.Count, backgrounds.Distinct().Count());
        Assert.Contains($"background:{CalendarPage.Background(CalendarShade.Cancelled)}", c.GetAttribute("style"));
        Assert.Contains($"background:{CalendarPage.Background(CalendarShade.RolledBack)}", r.GetAttribute("style"));

        // The legend names each colour the grid uses.
        var legend = cut.FindAll("[data-testid=legend-item]").ToDictionary(i => i.GetAttribute("data-shade")!, i => i);
        Assert.Contains("Cancelled", legend[nameof(CalendarShade.Cancelled)].TextContent);
        Assert.Contains($"background:{CalendarPage.Background(CalendarShade.Cancelled)}", legend[nameof(CalendarShade.Cancelled)].InnerHtml);
        Assert.Contains("Rolled-back", legend[nameof(CalendarShade.RolledBack)].TextContent);
        Assert.Contains($"background:{CalendarPage.Background(CalendarShade.RolledBack)}", legend[nameof(CalendarShade.RolledBack)].InnerHtml);
        Assert.True(legend.ContainsKey("Today"));
    }

    [Fact]
    public async Task Calendar_ShowsThreeEntriesAndPlusNMore_WhenADayHasMore_AndTheMoreButtonListsTheWholeDay()
    {
        // Six migrations at noon tomorrow in New York (tomorrow is always inside the six-week month grid).
        var tomorrow = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, NewYork).DateTime).AddDays(1);
        var noon = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(tomorrow.ToDateTime(new TimeOnly(12, 0)), NewYork), TimeSpan.Zero);
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (a, b) = await SeedEndedAsync(noon);
            names.AddRange([a, b]);
        }

        var cut = RenderIn(NewYork);

        var day = tomorrow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var cell = cut.Find($"[data-testid=calendar-day][data-day='{day}']");
        Assert.Equal(3, cell.QuerySelectorAll("[data-testid=calendar-entry]").Length);
        var more = cell.QuerySelector("[data-testid=calendar-more]")!;
        var hidden = int.Parse(System.Text.RegularExpressions.Regex.Match(more.TextContent, @"\+(\d+) more").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(hidden >= 3, more.TextContent);

        more.Click();
        cut.WaitForAssertion(() =>
        {
            var agenda = cut.Find("[data-testid=calendar-day-agenda]");
            Assert.Equal(day, agenda.GetAttribute("data-day"));
            var listed = cut.FindAll("[data-testid=day-agenda-entry]").Select(e => e.TextContent).ToList();
            Assert.Equal(3 + hidden, listed.Count);
            Assert.All(names, n => Assert.Contains(listed, t => t.Contains(n)));
        });
    }

    [Theory]
    [InlineData(CalendarShade.Window)]
    [InlineData(CalendarShade.Blackout)]
    [InlineData(CalendarShade.Migration)]
    [InlineData(CalendarShade.Cancelled)]
    [InlineData(CalendarShade.RolledBack)]
    public void Background_ReachesWcagAaAgainstTheEntryTextAndLinks_ForEveryShade(CalendarShade shade)
    {
        // The backgrounds are the same in light and dark mode, and so is the text on them: one check covers both themes.
        Assert.InRange(Contrast(CalendarPage.Background(shade), CalendarPage.EntryText), 4.5, 21);
        Assert.InRange(Contrast(CalendarPage.Background(shade), CalendarPage.LinkText), 4.5, 21);
    }

    private static double Contrast(string a, string b)
    {
        static double Luminance(string hex)
        {
            double Channel(int i)
            {
                var c = int.Parse(hex.AsSpan(1 + 2 * i, 2), NumberStyles.HexNumber) / 255d;
                return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
            }

            return 0.2126 * Channel(0) + 0.7152 * Channel(1) + 0.0722 * Channel(2);
        }

        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    /// <summary>Two migrations that ran from <paramref name="start"/> for 30 minutes: one cancelled, one rolled back. Returns their VM names.</summary>
    private async Task<(string Cancelled, string RolledBack)> SeedEndedAsync(DateTimeOffset start)
    {
        var requester = new PortalUser("u-cal", "Cal", new HashSet<string> { Roles.Requester, Roles.Administrator }, new HashSet<string>());
        var ids = new List<(Guid Id, string Vm)>();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var busy = await db.Requests.Select(r => r.VmId).ToListAsync();
            var vms = await db.Vms.Where(v => !busy.Contains(v.Id) && v.PowerState == PowerState.On).OrderBy(v => v.Name).Take(2).ToListAsync();
            var hosts = await db.Hosts.ToListAsync();
            foreach (var vm in vms)
            {
                var target = hosts.First(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).ExternalId;
                var submitted = await scope.ServiceProvider.GetRequiredService<SubmitRequest>().HandleAsync(requester,
                    new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "Calendar colours"));
                ids.Add((submitted.Id, vm.Name));
            }
        }

        Assert.Equal(2, ids.Count);
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var end = start.AddMinutes(30);
            var cancel = await db.LoadRequestAsync(ids[0].Id, default);
            Approve(cancel, start);
            cancel.Start(start);
            cancel.Cancel(new Actor("u-cal", "Cal"), end, "Wrong host");
            cancel.ConfirmCancelled(end, "Stopped on request.");
            var rollBack = await db.LoadRequestAsync(ids[1].Id, default);
            Approve(rollBack, start);
            rollBack.Start(start);
            rollBack.BeginVerify(start.AddMinutes(10));
            rollBack.Succeed(start.AddMinutes(10), "Moved.");
            rollBack.BeginRollback(new Actor("u-cal", "Cal"), start.AddMinutes(20), "App broke");
            rollBack.CompleteRollback(end, "Back where it was.");
            await db.SaveChangesAsync();
        }

        return (ids[0].Vm, ids[1].Vm);
    }

    private static void Approve(MigrationRequest request, DateTimeOffset at)
    {
        for (var i = 0; request.State == RequestState.PendingApproval; i++) request.Approve(new Actor($"u-approver-{i}", $"Approver {i}"), "ok", at);
        Assert.Equal(RequestState.Approved, request.State);
    }
}
