using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The calendar and the host page as a user in New York sees them (issue 13 §4 and §5): today marked, cancelled and
/// rolled-back migrations in their own colours with a legend, times in the browser's zone, both pages fitting a 390 px
/// phone, and a host evacuation with labelled MudBlazor controls, memory in GiB, submitted into a chosen window.
/// </summary>
public sealed class CalendarHostJourneyTests(PortalServer portal) : IClassFixture<PortalServer>
{
    private const string Zone = "America/New_York";
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById(Zone);

    /// <summary>Labelling rules: any violation fails, whatever axe's impact.</summary>
    private static readonly string[] LabelRules = ["label", "select-name", "aria-input-field-name", "aria-toggle-field-name", "button-name", "input-button-name"];

    [Fact]
    public async Task Calendar_MarksTodayShowsCancelledAndRolledBackInTheirColours_InTheBrowsersZone_AndFitsAPhone()
    {
        var (today, cancelled, rolledBack) = await SeedEndedMigrationsAsync();
        var failures = new List<string>();

        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var page = await SignInAsync("olga", scheme, new ViewportSize { Width = 1400, Height = 900 });
            await page.GotoAsync("/calendar");
            await PortalServer.WaitInteractiveAsync(page);
            // The page asks the browser for its zone once the circuit is up, then redraws in it.
            await page.Locator($"[data-testid=calendar-zone][data-zone='{Zone}']").WaitForAsync();
            Assert.Contains(Zone, await page.Locator("[data-testid=calendar-zone]").InnerTextAsync());

            // Today (in New York) is the one highlighted cell, outlined, its number on the theme's primary colour.
            var cell = page.Locator("[data-testid=calendar-day][data-today=true]");
            Assert.Equal(1, await cell.CountAsync());
            Assert.Equal($"{today:yyyy-MM-dd}", await cell.GetAttributeAsync("data-day"));
            Assert.Equal("solid", await cell.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));
            var number = cell.Locator(".calendar-today-number");
            Assert.Equal(today.Day.ToString(), (await number.InnerTextAsync()).Trim());
            Assert.NotEqual("rgba(0, 0, 0, 0)", await number.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
            var otherDay = page.Locator("[data-testid=calendar-day]:not([data-today])").First;
            Assert.Equal("none", await otherDay.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));

            // Both ran at noon New York time for 30 minutes: shown 12:00–12:30 (not 17:00 UTC), each in its own colour, named in the legend.
            var c = cell.Locator("[data-testid=calendar-entry]", new() { HasText = cancelled });
            var r = cell.Locator("[data-testid=calendar-entry]", new() { HasText = rolledBack });
            Assert.StartsWith("12:00–12:30", (await c.InnerTextAsync()).Trim());
            Assert.Contains("(cancelled)", await c.InnerTextAsync());
            Assert.StartsWith("12:00–12:30", (await r.InnerTextAsync()).Trim());
            Assert.Contains("(rolled back)", await r.InnerTextAsync());
            var cancelledColour = await Background(c);
            var rolledBackColour = await Background(r);
            Assert.Equal("rgb(224, 224, 224)", cancelledColour);
            Assert.Equal("rgb(225, 190, 231)", rolledBackColour);
            var migrationColour = await Background(page.Locator("[data-testid=legend-item][data-shade=Migration] .calendar-swatch"));
            Assert.NotEqual(migrationColour, cancelledColour);
            Assert.NotEqual(migrationColour, rolledBackColour);
            var cancelledLegend = page.Locator("[data-testid=legend-item][data-shade=Cancelled]");
            var rolledBackLegend = page.Locator("[data-testid=legend-item][data-shade=RolledBack]");
            Assert.Contains("Cancelled", await cancelledLegend.InnerTextAsync());
            Assert.Contains("Rolled-back", await rolledBackLegend.InnerTextAsync());
            Assert.Equal(cancelledColour, await Background(cancelledLegend.Locator(".calendar-swatch")));
            Assert.Equal(rolledBackColour, await Background(rolledBackLegend.Locator(".calendar-swatch")));
            Assert.True(await page.Locator("[data-testid=legend-item][data-shade=Today]").IsVisibleAsync());

            await AxeAsync(page, $"calendar ({scheme})", failures);
            await PortalServer.ScreenshotAsync(page, $"calendar-outcomes-{(scheme == ColorScheme.Dark ? "dark" : "light")}");
            await page.Context.CloseAsync();
        }

        // A 390 px phone: no sideways scrolling, and the entries are readable in the agenda under the grid.
        var phone = await SignInAsync("olga", ColorScheme.Light, new ViewportSize { Width = 390, Height = 844 });
        await phone.GotoAsync("/calendar");
        await PortalServer.WaitInteractiveAsync(phone);
        await phone.Locator($"[data-testid=calendar-zone][data-zone='{Zone}']").WaitForAsync();
        await AssertNoHorizontalScrollAsync(phone, "/calendar");
        var agenda = phone.Locator("[data-testid=agenda-entry]", new() { HasText = cancelled });
        Assert.True(await agenda.IsVisibleAsync(), "The agenda should list the cancelled migration on a phone.");
        Assert.StartsWith("12:00–12:30", (await agenda.InnerTextAsync()).Trim());
        var box = await agenda.BoundingBoxAsync();
        Assert.True(box!.X >= 0 && box.X + box.Width <= 390 && box.Width >= 200, $"The agenda entry spans {box.X}..{box.X + box.Width} px.");
        var fontSize = await agenda.EvaluateAsync<string>("e => getComputedStyle(e).fontSize");
        Assert.True(double.Parse(fontSize.Replace("px", ""), System.Globalization.CultureInfo.InvariantCulture) >= 12, $"Agenda text is {fontSize}.");
        await AxeAsync(phone, "calendar (phone)", failures);
        await PortalServer.ScreenshotAsync(phone, "mobile-calendar-agenda");
        await phone.Context.CloseAsync();

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task HostPage_HasLabelledMudControls_MemoryInGiB_FitsAPhone_AndSubmitsAnEvacuationIntoAChosenWindow()
    {
        var (hostId, vmCount) = await portal.HostAsync("demo-host-b2");
        Assert.True(vmCount > 0, "The demo host should hold VMs.");
        var window = await AddHostWindowAsync("demo-host-b2");
        var failures = new List<string>();

        // A 390 px phone, with every VM's row and its target picker shown: the host page does not scroll sideways.
        var phone = await SignInAsync("olga", ColorScheme.Light, new ViewportSize { Width = 390, Height = 844 });
        await phone.GotoAsync($"/hosts/{hostId}");
        await PortalServer.WaitInteractiveAsync(phone);
        await phone.Locator("[data-testid=evacuation-moves]").WaitForAsync();
        await AssertNoHorizontalScrollAsync(phone, "/hosts");
        // Each target picker is wide enough to read the host it shows, and lies inside the screen.
        foreach (var picker in await phone.Locator("[data-testid=move-row] .evacuation-target").AllAsync())
        {
            var box = await picker.BoundingBoxAsync();
            Assert.True(box is { Width: >= 140 } && box.X >= 0 && box.X + box.Width <= 390, $"A target picker spans {box?.X}..{box?.X + box?.Width} px.");
        }

        await PortalServer.ScreenshotAsync(phone, "mobile-host");
        await phone.Context.CloseAsync();

        var page = await SignInAsync("olga", ColorScheme.Light, new ViewportSize { Width = 1400, Height = 900 });
        await page.GotoAsync($"/hosts/{hostId}");
        await PortalServer.WaitInteractiveAsync(page);
        await page.Locator("[data-testid=evacuation-moves]").WaitForAsync();

        // Memory in GiB: the host's own figure, every VM and every target.
        Assert.Matches(@"^Memory \d+(\.\d+)? of \d+(\.\d+)? GiB in use", (await page.Locator("[data-testid=host-memory]").InnerTextAsync()).Trim());
        foreach (var text in await page.Locator("[data-testid=move-row] td:nth-child(2), [data-testid=target-free], [data-testid=target-adds]").AllInnerTextsAsync())
            Assert.Matches(@"^(< )?-?\d+(\.\d+)? GiB$", text.Trim());
        Assert.DoesNotMatch(new Regex(@"\d\s*MB\b"), await page.Locator("[data-testid=evacuation-planner]").InnerTextAsync());

        // No native select; each VM's target is a MudSelect whose label names the VM, and it shows the proposed host.
        Assert.Equal(0, await page.Locator("select").CountAsync());
        var rows = page.Locator("[data-testid=move-row]");
        Assert.Equal(vmCount, await rows.CountAsync());
        for (var i = 0; i < vmCount; i++)
        {
            var row = rows.Nth(i);
            var vm = (await row.Locator("td").First.InnerTextAsync()).Trim();
            Assert.Equal($"Target for {vm}", (await row.Locator("label").First.InnerTextAsync()).Trim());
            Assert.True(await row.Locator("label").First.IsVisibleAsync());
            Assert.StartsWith("demo-host-", await row.Locator($"[data-testid='target-{vm}']").GetAttributeAsync("data-value") ?? "");
        }

        // The schedule: the window covers the host, so "as soon as approved" is not offered; choose the window by name.
        Assert.Contains(window, await page.Locator("[data-testid=window-required]").InnerTextAsync());
        Assert.True(await page.GetByRole(AriaRole.Radio, new() { Name = "As soon as approved" }).IsDisabledAsync());
        await page.GetByText("In a window I choose").ClickAsync();
        await page.ClickAsync("[data-testid=window-select]");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = window }).First.ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await AxeAsync(page, "host page", failures);
        await PortalServer.ScreenshotAsync(page, "host-evacuation-window");
        await page.Locator("[data-testid=evacuation-justification] input, input[data-testid=evacuation-justification]").First.FillAsync("Firmware update on b2");
        await page.ClickAsync("[data-testid=submit-evacuation]");
        var submitted = page.Locator("[data-testid=evacuation-submitted]");
        await submitted.WaitForAsync();
        Assert.Contains($"submitted with {vmCount} request(s)", await submitted.InnerTextAsync());
        // The page now follows the batch: each VM's request, its state in words.
        var inFlight = page.Locator("[data-testid=evacuation-in-flight]");
        await inFlight.WaitForAsync();
        Assert.Contains("Pending approval", await inFlight.InnerTextAsync());

        // Every request of the batch is planned inside the chosen window (02:00–03:00 UTC daily).
        var planned = await PlannedStartsAsync("Firmware update on b2");
        Assert.Equal(vmCount, planned.Count);
        Assert.All(planned, p => Assert.True(p is { } s && s.UtcDateTime.TimeOfDay >= TimeSpan.FromHours(2) && s.UtcDateTime.TimeOfDay < TimeSpan.FromHours(3),
            $"Planned {p:u}, outside the window."));
        await page.Context.CloseAsync();


        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static Task<string> Background(ILocator locator) => locator.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

    private static async Task AssertNoHorizontalScrollAsync(IPage page, string name)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{name}: the page is {widths[0]} px wide in a {widths[1]} px window, so it scrolls sideways.");
    }

    /// <summary>Any serious or critical WCAG 2.1 AA violation, and any labelling violation at all.</summary>
    private static async Task AxeAsync(IPage page, string name, List<string> failures)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        foreach (var v in result.Violations.Where(v => v.Impact is "serious" or "critical" || LabelRules.Contains(v.Id)))
            failures.Add($"{name}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}");
    }

    private Task<IPage> SignInAsync(string user, ColorScheme scheme, ViewportSize viewport) => Journey.SignInAsync(portal, user,
        new BrowserNewContextOptions { ColorScheme = scheme, ViewportSize = viewport, TimezoneId = Zone });

    /// <summary>
    /// Two demo-crm migrations that ran today from 12:00 New York time for 30 minutes: one cancelled, one rolled back.
    /// Their states are set through the request's own methods in one save, so no job picks them up in between.
    /// </summary>
    private async Task<(DateOnly Today, string Cancelled, string RolledBack)> SeedEndedMigrationsAsync()
    {
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, NewYork).DateTime);
        var start = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(new TimeOnly(12, 0)), NewYork), TimeSpan.Zero);
        var requester = new PortalUser("e2e-cal", "Cal", new HashSet<string> { Roles.Requester, Roles.Administrator }, new HashSet<string>());
        var ids = new List<(Guid Id, string Vm)>();
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            // Not on demo-host-b2, whose VMs the host journey evacuates.
            var vms = await db.Vms.Where(v => v.PowerState == PowerState.On && v.HostExternalId != "demo-host-b2"
                    && db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == "demo-crm"))
                .OrderBy(v => v.Name).Take(2).ToListAsync();
            var hosts = await db.Hosts.ToListAsync();
            foreach (var vm in vms)
            {
                var target = hosts.First(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).ExternalId;
                var request = await scope.ServiceProvider.GetRequiredService<SubmitRequest>().HandleAsync(requester,
                    new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "Calendar journey"));
                ids.Add((request.Id, vm.Name));
            }
        }

        Assert.Equal(2, ids.Count);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var end = start.AddMinutes(30);
            var actor = new Actor("e2e-cal", "Cal");
            var cancel = await db.LoadRequestAsync(ids[0].Id, default);
            Approve(cancel, start);
            cancel.Start(start);
            cancel.Cancel(actor, end, "Wrong target");
            cancel.ConfirmCancelled(end, "Stopped on request.");
            var rollBack = await db.LoadRequestAsync(ids[1].Id, default);
            Approve(rollBack, start);
            rollBack.Start(start);
            rollBack.BeginVerify(start.AddMinutes(10));
            rollBack.Succeed(start.AddMinutes(10), "Moved.");
            rollBack.BeginRollback(actor, start.AddMinutes(20), "The application broke");
            rollBack.CompleteRollback(end, "Back where it was.");
            await db.SaveChangesAsync();
        }

        return (today, ids[0].Vm, ids[1].Vm);
    }

    private static void Approve(MigrationRequest request, DateTimeOffset at)
    {
        for (var i = 0; request.State == RequestState.PendingApproval; i++) request.Approve(new Actor($"e2e-approver-{i}", $"Approver {i}"), "ok", at);
        Assert.Equal(RequestState.Approved, request.State);
    }

    /// <summary>A daily one-hour window, 02:00 UTC, on one host; returns its name.</summary>
    private async Task<string> AddHostWindowAsync(string hostExternalId)
    {
        const string name = "e2e-b2-nightly";
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var host = await db.Hosts.FirstAsync(h => h.ExternalId == hostExternalId);
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var olga = new PortalUser("e2e-olga", "Olga", new HashSet<string> { Roles.Operator }, new HashSet<string>());
        await scope.ServiceProvider.GetRequiredService<SaveMaintenanceWindow>().HandleAsync(olga, null, new CalendarPeriodInput(name, RecurrenceKind.RRule, "FREQ=DAILY", "UTC",
            now.Date.AddDays(-1).AddHours(2), 60, WindowScopeKind.Host, host.ConnectionId, host.ExternalId));
        return name;
    }

    private async Task<List<DateTimeOffset?>> PlannedStartsAsync(string justification)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Requests.Where(r => r.BatchId != null && r.Justification == justification).Select(r => r.PlannedStart).ToListAsync();
    }
}
