using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using Xunit.Abstractions;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// WCAG 2.1 AA on every main page, in light and in dark mode, checked by axe-core in Chromium: any serious or critical
/// violation fails, and every app page has one main landmark and exactly one h1. Also the theme choice (follows the
/// operating system, remembered per user), the 390 px phone layout and the notification bell. The counts per page are
/// printed; docs/accessibility.md keeps them.
/// </summary>
public sealed class AccessibilityJourneyTests(PortalServer portal, ITestOutputHelper output) : IClassFixture<PortalServer>
{
    private const string Admin = "ada";

    /// <summary>
    /// Rules excepted on a page, by page name, each with a comment naming the file that needs the fix. None is excepted
    /// today; an entry added here must say why and who removes it.
    /// </summary>
    private static readonly Dictionary<string, string[]> KnownExceptions = new();

    /// <summary>Pages allowed to have no h1 of their own (none today; the page title MudText carries HtmlTag="h1").</summary>
    private static readonly HashSet<string> KnownWithoutH1 = [];

    private sealed record Seeded(Guid RequestId, string VmName, Guid VmId, Guid HostId);

    [Fact]
    public async Task Journey_EveryMainPageInLightAndDark_HasNoSeriousOrCriticalAxeViolation_AndOneMainAndOneH1()
    {
        var seeded = await SeedAsync();
        var failures = new List<string>();
        var table = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var page = await SignInAsync(Admin, scheme);
            foreach (var (name, url, ready) in Pages(seeded))
            {
                try
                {
                    await VisitAsync(page, name, url, ready, scheme, failures, table);
                }
                catch (Exception e) when (e is PlaywrightException or TimeoutException)
                {
                    failures.Add($"{name}: could not be checked: {e.Message.Split('\n')[0]}");
                }
            }

            var anonymous = await portal.Browser.NewContextAsync(new() { BaseURL = portal.BaseUrl, ColorScheme = scheme });
            var login = await anonymous.NewPageAsync();
            await login.GotoAsync("/login");
            await CheckAsync(login, "login", scheme, failures, table, app: false);
            await login.GotoAsync("/login?error=invalid");
            await CheckAsync(login, "login with error", scheme, failures, table, app: false);
            await anonymous.CloseAsync();
            await page.Context.CloseAsync();
        }

        output.WriteLine("page | scheme | serious+critical rules | nodes");
        table.ForEach(output.WriteLine);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Theme_FollowsTheSystem_UntilTheUserChooses_AndTheChoiceIsRememberedForThatUser()
    {
        await SeedAsync();
        var page = await SignInAsync(Admin, ColorScheme.Dark);
        await page.Locator("main[data-theme=dark]").WaitForAsync();

        await page.ClickAsync("[data-testid=theme-menu] button");
        await page.ClickAsync("[data-testid=theme-light]");
        await page.Locator("main[data-theme=light]").WaitForAsync();
        await page.ReloadAsync();
        await PortalServer.WaitInteractiveAsync(page);
        await page.Locator("main[data-theme=light]").WaitForAsync();
        Assert.Equal("light", await page.EvaluateAsync<string>("() => localStorage.getItem('migrationportal.theme:ada')"));

        // Another user in the same browser still follows the system.
        await page.EvaluateAsync("() => localStorage.setItem('migrationportal.theme:someone-else', 'light')");
        await page.ClickAsync("[data-testid=theme-menu] button");
        await page.ClickAsync("[data-testid=theme-system]");
        await page.Locator("main[data-theme=dark]").WaitForAsync();
        await page.ReloadAsync();
        await PortalServer.WaitInteractiveAsync(page);
        await page.Locator("main[data-theme=dark]").WaitForAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('migrationportal.theme:ada')"));

        // Following the system includes a change while the page is open.
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await page.Locator("main[data-theme=light]").WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Phone_AppBarAndCalendarFitIn390Pixels_AndTheBellListsTheApprovalNeeded()
    {
        var seeded = await SeedAsync();
        var page = await SignInAsync(Admin, ColorScheme.Light, new ViewportSize { Width = 390, Height = 844 });
        foreach (var url in new[] { "/", "/calendar", "/inventory", $"/requests/{seeded.RequestId}" })
        {
            await page.GotoAsync(url);
            await PortalServer.WaitInteractiveAsync(page);
            var widths = await page.EvaluateAsync<int[]>(
                "() => { const bar = document.querySelector('.mud-appbar .mud-toolbar'); return [document.documentElement.scrollWidth, bar.scrollWidth, bar.clientWidth]; }");
            Assert.True(widths[1] <= widths[2], $"{url}: the app bar's content is {widths[1]} px wide in {widths[2]} px.");
            if (url == "/calendar")
            {
                Assert.True(widths[0] <= 390, $"The calendar page is {widths[0]} px wide on a 390 px phone.");
                var grid = await page.Locator("[data-testid=calendar]").BoundingBoxAsync();
                Assert.True(grid!.X >= 0 && grid.X + grid.Width <= 390, $"The calendar spans {grid.X}..{grid.X + grid.Width} px.");
                await PortalServer.ScreenshotAsync(page, "mobile-calendar");
            }
        }

        // The bell: the approver (ada is one) sees the pending request, and its link opens it.
        await page.GotoAsync("/");
        await PortalServer.WaitInteractiveAsync(page);
        await page.ClickAsync("[data-testid=bell] button");
        var item = page.Locator(".mud-popover-open [data-testid=bell-item][data-kind=ApprovalNeeded]", new() { HasText = seeded.VmName });
        try
        {
            await item.WaitForAsync();
        }
        catch (TimeoutException)
        {
            await PortalServer.ScreenshotAsync(page, "failed-bell");
            throw new TimeoutException("The bell did not list the request: " + await page.Locator("[data-testid=bell]").InnerHTMLAsync());
        }

        Assert.Contains("Approval needed", await item.InnerTextAsync());
        await PortalServer.ScreenshotAsync(page, "mobile-bell");

        // Escape closes the menu and gives focus back to the bell (it stayed open before).
        await page.Keyboard.PressAsync("Escape");
        await item.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 5_000 });
        await Assertions.Expect(page.Locator("[data-testid=bell] button")).ToBeFocusedAsync();
        await page.ClickAsync("[data-testid=bell] button");
        await item.WaitForAsync();
        await item.ClickAsync();
        await page.WaitForURLAsync($"**/requests/{seeded.RequestId}");
        await page.Context.CloseAsync();
    }

    private static IEnumerable<(string Name, string Url, string? Ready)> Pages(Seeded s) =>
    [
        ("home", "/", null),
        ("inventory", "/inventory", "[data-testid=inventory-grid] a"),
        ("vm detail", $"/vms/{s.VmId}", null),
        ("host detail", $"/hosts/{s.HostId}", "[data-testid=host-facts]"),
        ("requests", "/requests", null),
        ("request detail", $"/requests/{s.RequestId}", "[data-testid=state]"),
        ("new request", "/requests/new", "[data-testid=wizard]"),
        ("approvals", "/approvals", "[data-testid=inbox-item]"),
        ("calendar", "/calendar", "[data-testid=calendar]"),
        ("windows", "/windows", null),
        ("audit", "/audit", "[data-testid=audit-table]"),
        ("admin", "/admin", ".mud-tabs"),
        ("my tokens", "/tokens", "[data-testid=token-create]"),
        ("rules", "/rules", "[data-testid=rule-form]"),
        ("optimize", "/optimize", "[data-testid=optimize-run]"),
        // The portal's own 404 page. An unknown route still answers a bare 404 on this branch (issue 13 §3, owned by the
        // routing helper: Routes.razor / Program.cs); once it renders this page, visit "/no-such-page" here instead.
        ("not found", "/no-such-page", "[data-testid=not-found]"),
    ];

    private async Task VisitAsync(IPage page, string name, string url, string? ready, ColorScheme scheme, List<string> failures, List<string> table)
    {
        var response = await page.GotoAsync(url);
        if (name == "not found")
        {
            // An unknown address is answered by the static error page (no circuit), with the status a crawler or script sees.
            Assert.Equal(404, response?.Status);
        }
        else
        {
            await PortalServer.WaitInteractiveAsync(page);
            await page.Locator($"main[data-theme={(scheme == ColorScheme.Dark ? "dark" : "light")}]").WaitForAsync();
        }
        if (ready is not null) await page.Locator(ready).First.WaitForAsync();
        if (name == "host detail")
            Assert.Matches(@"Memory \d+(\.\d)? of \d+(\.\d)? GiB in use", await page.Locator("[data-testid=host-memory]").InnerTextAsync());
        await CheckAsync(page, name, scheme, failures, table, app: true);
        if (name == "admin") await CheckAdminTabsAsync(page, scheme, failures, table);
    }

    private async Task CheckAdminTabsAsync(IPage page, ColorScheme scheme, List<string> failures, List<string> table)
    {
        foreach (var tab in new[] { "Applications", "Approval policy", "Conversion maps", "Users", "Connections" })
        {
            await page.Locator(".mud-tab", new() { HasText = tab }).First.ClickAsync();
            await page.Locator(".mud-tab.mud-tab-active", new() { HasText = tab }).WaitForAsync();
            await CheckAsync(page, $"admin: {tab}", scheme, failures, table, app: true);
        }
    }

    private async Task CheckAsync(IPage page, string name, ColorScheme scheme, List<string> failures, List<string> table, bool app)
    {
        var mode = scheme == ColorScheme.Dark ? "dark" : "light";
        // MudBlazor animates colours (about 250 ms): right after the theme is applied, or a chip or button re-renders, a
        // colour can be caught half-way between light and dark and axe measures a contrast nobody sees. Wait for running
        // CSS transitions to end (never for infinite animations such as an indeterminate progress bar), at most 3 s.
        await page.EvaluateAsync(@"() => Promise.race([
            Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null))),
            new Promise(resolve => setTimeout(resolve, 3000))])");
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        table.Add($"{name} | {mode} | {serious.Count} | {serious.Sum(v => v.Nodes.Length)} | {string.Join(", ", serious.Select(v => v.Id))}");
        var known = KnownExceptions.GetValueOrDefault(name) ?? [];
        foreach (var v in serious.Where(v => !known.Contains(v.Id)))
            failures.Add($"{name} ({mode}): {v.Id} ({v.Impact}) {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}");

        var mains = await page.Locator("main").CountAsync();
        var h1s = await page.Locator("h1").CountAsync();
        if (mains != 1) failures.Add($"{name} ({mode}): {mains} main landmarks, not one.");
        if (h1s != 1 && !KnownWithoutH1.Contains(name)) failures.Add($"{name} ({mode}): {h1s} h1 headings, not one.");
        if (app && mode == "dark") await PortalServer.ScreenshotAsync(page, "a11y-" + name.Replace(' ', '-').Replace(":", "") + "-dark");
    }

    private async Task<IPage> SignInAsync(string user, ColorScheme scheme, ViewportSize? viewport = null)
    {
        var context = await portal.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = portal.BaseUrl, ColorScheme = scheme, ViewportSize = viewport ?? new ViewportSize { Width = 1400, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("input[name=userName]", user);
        await page.FillAsync("input[name=password]", PortalServer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login"));
        // The first circuit of a freshly started portal can take longer than later ones on a busy machine.
        await page.Locator("[data-testid=interactive]").WaitForAsync(new() { Timeout = 90_000 });
        return page;
    }

    /// <summary>
    /// Ada administers and approves; a request by another requester waits for her approval, so the request page, the
    /// inbox and the bell have something to show. Made once per fixture.
    /// </summary>
    private async Task<Seeded> SeedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_seeded is not null) return _seeded;
            await using var scope = portal.Services.CreateAsyncScope();
            var accounts = scope.ServiceProvider.GetRequiredService<IAccountDirectory>();
            var (_, errors) = await accounts.CreateAsync(Admin, "Ada", PortalServer.Password, [Roles.Administrator, Roles.Approver], default);
            Assert.Empty(errors);
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var vm = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == "demo-crm")).OrderBy(v => v.Name).FirstAsync();
            var target = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).FirstAsync();
            var requester = new PortalUser("a11y-requester", "Ray", new HashSet<string> { Roles.Requester, Roles.Administrator }, new HashSet<string>());
            var request = await scope.ServiceProvider.GetRequiredService<SubmitRequest>().HandleAsync(requester,
                new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target.ExternalId, null, "Accessibility journey: a request awaiting approval"));
            Assert.Equal(RequestState.PendingApproval, request.State);
            return _seeded = new Seeded(request.Id, vm.Name, vm.Id, target.Id);
        }
        finally
        {
            Gate.Release();
        }
    }

    // The fixture is per class and xunit makes one test-class instance per test: the seed is kept beside the fixture.
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Seeded? _seeded;
}
