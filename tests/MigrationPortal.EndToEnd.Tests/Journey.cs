using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// What the issue-13 journeys (administration, request truth, lists) share: seeding through the app's own use cases as the
/// seeded people, and the few ways to read a MudBlazor page as a user sees it (the error beside a field, a snackbar).
/// </summary>
internal static class Journey
{
    /// <summary>A seeded person as the use cases see them (their real ID, roles and groups).</summary>
    public static async Task<PortalUser> UserAsync(PortalServer portal, string userName)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var account = (await scope.ServiceProvider.GetRequiredService<IAccountDirectory>().ListAsync(default)).Single(a => a.UserName == userName);
        return new PortalUser(account.Id, account.DisplayName, new HashSet<string>(account.Roles), new HashSet<string>(account.Groups));
    }

    /// <summary>A local account made for one journey; returns its sign-in name.</summary>
    public static async Task<string> CreateUserAsync(PortalServer portal, string userName, string displayName, params string[] roles)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var (_, errors) = await scope.ServiceProvider.GetRequiredService<IAccountDirectory>().CreateAsync(userName, displayName, PortalServer.Password, roles, default);
        Assert.Empty(errors);
        return userName;
    }

    /// <summary>The person asks, through SubmitRequest, for a live compute move of a demo VM to another host of its cluster.</summary>
    public static async Task<Guid> SubmitAsync(PortalServer portal, string userName, string vmName, string justification)
    {
        var user = await UserAsync(portal, userName);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var vm = await db.Vms.SingleAsync(v => v.Name == vmName);
        var target = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).FirstAsync();
        var request = await scope.ServiceProvider.GetRequiredService<SubmitRequest>().HandleAsync(user,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target.ExternalId, null, justification));
        Assert.Equal(RequestState.PendingApproval, request.State);
        return request.Id;
    }

    public static async Task DecideAsync(PortalServer portal, string userName, Guid requestId, Verdict verdict, string comment)
    {
        var user = await UserAsync(portal, userName);
        await using var scope = portal.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DecideRequest>().HandleAsync(user, requestId, verdict, comment, default);
    }

    /// <summary>
    /// Signs in and opens the page once its circuit is interactive. The waits are long: a freshly started portal's first
    /// circuit on a busy two-core machine can take far longer than a user would ever wait.
    /// </summary>
    public static async Task<IPage> OpenAsync(PortalServer portal, string userName, string url, int width = 1400)
    {
        var context = await portal.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = 900 }, AcceptDownloads = true,
        });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("input[name=userName]", userName);
        await page.FillAsync("input[name=password]", PortalServer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(u => !u.Contains("/login"));
        await page.GotoAsync(url);
        await page.Locator("[data-testid=interactive]").WaitForAsync(new() { Timeout = 90_000 });
        return page;
    }

    /// <summary>
    /// Signs in on a new browser context made from <paramref name="context"/> (viewport, colour scheme, time zone; the portal's
    /// address is filled in) and waits until the landing page's circuit is interactive.
    /// </summary>
    public static async Task<IPage> SignInAsync(PortalServer portal, string userName, BrowserNewContextOptions context)
    {
        context.BaseURL = portal.BaseUrl;
        var page = await (await portal.Browser.NewContextAsync(context)).NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("input[name=userName]", userName);
        await page.FillAsync("input[name=password]", PortalServer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login"));
        // The first circuit of a freshly started portal can take longer than later ones on a busy machine.
        await page.Locator("[data-testid=interactive]").WaitForAsync(new() { Timeout = 90_000 });
        return page;
    }

    /// <summary>MudBlazor puts a data-testid on the input itself or on its control, depending on the component: accept either.</summary>
    public static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], textarea[data-testid={testId}], [data-testid={testId}] input, [data-testid={testId}] textarea").First;

    /// <summary>The error MudBlazor shows beneath a field, inside the field's own control: beside it, not in a banner.</summary>
    public static ILocator FieldError(IPage page, string testId) =>
        page.Locator($".mud-input-control:has([data-testid={testId}]) .mud-input-helper-text.mud-input-error, [data-testid={testId}] .mud-input-helper-text.mud-input-error").First;

    /// <summary>The error beneath the field labelled <paramref name="label"/> (for fields without a test ID).</summary>
    public static ILocator FieldErrorByLabel(IPage page, string label) =>
        page.Locator(".mud-input-control", new() { Has = page.Locator("label", new() { HasTextString = label }) }).Locator(".mud-input-helper-text.mud-input-error").First;

    /// <summary>A snackbar with this text, as the user sees it (bottom of the page), waited for.</summary>
    public static async Task<string> SnackbarAsync(IPage page, string text)
    {
        var bar = page.Locator(".mud-snackbar", new() { HasText = text }).First;
        await bar.WaitForAsync(new() { Timeout = 15_000 });
        return await bar.InnerTextAsync();
    }

    public static async Task PickAsync(IPage page, string selector, string option)
    {
        await page.ClickAsync(selector);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    /// <summary>Waits until the locator's text satisfies the check (the page refreshes itself), then returns the text.</summary>
    public static async Task<string> TextWhenAsync(ILocator locator, Func<string, bool> ok, int timeoutMs = 15_000)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string text;
        while (!ok(text = await locator.InnerTextAsync()))
        {
            if (clock.ElapsedMilliseconds > timeoutMs) throw new TimeoutException($"Still '{text}' after {timeoutMs} ms.");
            await locator.Page.WaitForTimeoutAsync(100);
        }

        return text;
    }
}
