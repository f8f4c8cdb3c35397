using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// Issue 13 §1, dead ends and traps, in the browser: the sign-in page in the portal's theme, applications created,
/// renamed and deleted (and refused while referenced) with owners picked by name, no account without a role, and a host's
/// evacuation submitted once a maintenance window covers its VMs.
/// </summary>
public sealed class AdministrationJourneyTests(PortalServer portal) : IClassFixture<PortalServer>
{
    private const string Admin = "adam";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Adam administers; made once per portal (xunit makes one class instance per test, the fixture is shared).</summary>
    private async Task<string> AdminAsync()
    {
        await Gate.WaitAsync();
        try
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var accounts = await scope.ServiceProvider.GetRequiredService<MigrationPortal.Application.Abstractions.IAccountDirectory>().ListAsync(default);
            if (accounts.All(a => a.UserName != Admin)) await Journey.CreateUserAsync(portal, Admin, "Adam", Roles.Administrator);
            return Admin;
        }
        finally
        {
            Gate.Release();
        }
    }

    [Fact]
    public async Task SignInPage_HasBorderedFieldsAFilledButtonASansFontAndNoRingOnItsHeading_WhenOpenedOnDesktopOrPhone()
    {
        foreach (var width in new[] { 1400, 390 })
        {
            var context = await portal.Browser.NewContextAsync(new() { BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = 844 } });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/login");
            var looks = await page.EvaluateAsync<JsonElement>("""
                () => {
                    const s = e => getComputedStyle(e);
                    const card = document.querySelector('.signin-card');
                    const inputs = [...document.querySelectorAll('form[data-testid=login-form] input:not([type=hidden])')].map(i => ({
                        style: s(i).borderTopStyle, width: parseFloat(s(i).borderTopWidth), color: s(i).borderTopColor, font: s(i).fontFamily, box: i.getBoundingClientRect().width }));
                    const b = document.querySelector('button[type=submit]');
                    const h1 = document.querySelector('h1');
                    h1.tabIndex = -1; h1.focus();
                    return {
                        inputs, cardBackground: s(card).backgroundColor, pageBackground: s(document.body).backgroundColor,
                        button: { background: s(b).backgroundColor, color: s(b).color, border: s(b).borderTopStyle, font: s(b).fontFamily, cursor: s(b).cursor },
                        bodyFont: s(document.querySelector('main')).fontFamily, headingFont: s(h1).fontFamily,
                        headingOutline: s(h1).outlineStyle, headingFocused: document.activeElement === h1,
                        scrollWidth: document.documentElement.scrollWidth,
                    };
                }
                """);
            var where = $"at {width} px: {looks}";
            var cardBackground = looks.GetProperty("cardBackground").GetString();
            var inputs = looks.GetProperty("inputs").EnumerateArray().ToList();
            Assert.Equal(2, inputs.Count);
            foreach (var input in inputs)
            {
                // A visible box: a real border, in a colour that is neither transparent nor the card's own.
                Assert.NotEqual("none", input.GetProperty("style").GetString());
                Assert.True(input.GetProperty("width").GetDouble() >= 1, where);
                Assert.NotEqual(cardBackground, input.GetProperty("color").GetString());
                Assert.NotEqual("rgba(0, 0, 0, 0)", input.GetProperty("color").GetString());
                Assert.True(input.GetProperty("box").GetDouble() >= 250, where);
                AssertSans(input.GetProperty("font").GetString(), where);
            }

            // The button is filled: a background of its own, unlike the card, with text in another colour.
            var button = looks.GetProperty("button");
            Assert.NotEqual("rgba(0, 0, 0, 0)", button.GetProperty("background").GetString());
            Assert.NotEqual(cardBackground, button.GetProperty("background").GetString());
            Assert.NotEqual(button.GetProperty("background").GetString(), button.GetProperty("color").GetString());
            Assert.Equal("pointer", button.GetProperty("cursor").GetString());
            AssertSans(button.GetProperty("font").GetString(), where);
            AssertSans(looks.GetProperty("bodyFont").GetString(), where);
            AssertSans(looks.GetProperty("headingFont").GetString(), where);

            // No focus rectangle around the heading, even when it holds the focus (the page may focus it for screen readers).
            Assert.True(looks.GetProperty("headingFocused").GetBoolean(), where);
            Assert.Equal("none", looks.GetProperty("headingOutline").GetString());

            // It fits a phone: nothing scrolls sideways.
            Assert.True(looks.GetProperty("scrollWidth").GetInt32() <= width, where);
            if (width == 390) await PortalServer.ScreenshotAsync(page, "mobile-login");

            // A wrong password says so on the same styled page.
            await page.FillAsync("input[name=userName]", "rita");
            await page.FillAsync("input[name=password]", "not-her-password");
            await page.ClickAsync("button[type=submit]");
            await page.Locator("[data-testid=login-error]").WaitForAsync();
            Assert.Contains("user name or password is wrong", await page.Locator("[data-testid=login-error]").InnerTextAsync());
            await context.CloseAsync();
        }
    }

    private static void AssertSans(string? family, string where)
    {
        Assert.False(string.IsNullOrWhiteSpace(family), where);
        var first = family!.Split(',')[0].Trim().Trim('"', '\'').ToLowerInvariant();
        Assert.DoesNotContain(first, new[] { "serif", "times", "times new roman", "georgia", "dejavu serif", "liberation serif" });
        Assert.Contains("sans-serif", family);
    }

    [Fact]
    public async Task Applications_AreCreatedRenamedAndDeletedWithOwnersByName_AndOneStillInUseIsRefused_WhenAnAdministratorManagesThem()
    {
        var page = await Journey.OpenAsync(portal, await AdminAsync(), "/admin");
        await page.Locator(".mud-tab", new() { HasText = "Applications" }).First.ClickAsync();
        var table = page.Locator("[data-testid=applications]");
        await table.WaitForAsync();
        // Owners are shown by name, never as "User:<id>".
        var payments = table.Locator("[data-testid=application-row]", new() { HasText = "demo-payments" });
        Assert.Equal("Rita (rita)", (await payments.Locator("[data-testid=owners]").InnerTextAsync()).Trim());
        Assert.DoesNotContain("User:", await table.InnerTextAsync());

        // The picker finds users by name, and offers nothing for a name it does not know.
        await Journey.Field(page, "application-name").FillAsync("e2e-billing");
        var picker = Journey.Field(page, "owner-picker");
        await picker.FillAsync("alice");
        await page.WaitForTimeoutAsync(500);
        Assert.Equal(0, await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "alice" }).CountAsync());
        await picker.FillAsync("");
        await picker.PressSequentiallyAsync("rit");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Rita (rita)" }).First.ClickAsync();
        await page.Locator("[data-testid=owner-chip]", new() { HasText = "Rita (rita)" }).WaitForAsync();
        Assert.Equal(1, await page.Locator("[data-testid=owner-chip]").CountAsync());

        // Created: a snackbar, and the row names the owner.
        await page.ClickAsync("[data-testid=save-application]");
        await Journey.SnackbarAsync(page, "Application 'e2e-billing' created.");
        var row = table.Locator("[data-testid=application-row]", new() { HasText = "e2e-billing" });
        await row.WaitForAsync();
        Assert.Equal("Rita (rita)", (await row.Locator("[data-testid=owners]").InnerTextAsync()).Trim());

        // Renamed.
        await row.Locator("[data-testid=edit-application]").ClickAsync();
        // The form is filled by the circuit after the click: wait for it (an immediate read got "" under load).
        await Assertions.Expect(Journey.Field(page, "application-name")).ToHaveValueAsync("e2e-billing");
        await Journey.Field(page, "application-name").FillAsync("e2e-billing-eu");
        await page.ClickAsync("[data-testid=save-application]");
        await Journey.SnackbarAsync(page, "Application saved.");
        var renamed = table.Locator("[data-testid=application-row]", new() { HasText = "e2e-billing-eu" });
        await renamed.WaitForAsync();
        Assert.Equal(1, await table.Locator("[data-testid=application-row]", new() { HasText = "e2e-billing" }).CountAsync());

        // Deleted.
        await renamed.Locator("[data-testid=delete-application]").ClickAsync();
        await Journey.SnackbarAsync(page, "Application 'e2e-billing-eu' deleted.");
        await renamed.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        // One with VMs mapped to it is refused, with the reason, and stays.
        await payments.Locator("[data-testid=delete-application]").ClickAsync();
        var banner = page.Locator("[data-testid=admin-message]");
        await Journey.TextWhenAsync(banner, t => t.Contains("cannot be deleted"));
        Assert.Contains("demo-payments", await banner.InnerTextAsync());
        Assert.Equal(1, await table.Locator("[data-testid=application-row]", new() { HasText = "demo-payments" }).CountAsync());

        // The API says the same: 409 for the referenced one, 400 beside the owner for an unknown user, 201 and 204 otherwise.
        var api = page.Context.APIRequest;
        var origin = new Dictionary<string, string> { ["Origin"] = portal.BaseUrl };
        Guid paymentsId;
        await using (var scope = portal.Services.CreateAsyncScope())
            paymentsId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Applications.Where(a => a.Name == "demo-payments").Select(a => a.Id).SingleAsync();
        var conflict = await api.DeleteAsync($"/api/v1/applications/{paymentsId}", new() { Headers = origin });
        Assert.Equal(409, conflict.Status);
        Assert.Contains("cannot be deleted", await conflict.TextAsync());
        var unknown = await api.PostAsync("/api/v1/applications", new()
        {
            Headers = origin,
            DataObject = new { name = "e2e-api-app", owners = new[] { new { kind = "User", principal = "alice" } } },
        });
        Assert.Equal(400, unknown.Status);
        Assert.Contains("is not a known user", await unknown.TextAsync());
        var created = await api.PostAsync("/api/v1/applications", new() { Headers = origin, DataObject = new { name = "e2e-api-app", owners = Array.Empty<object>() } });
        Assert.Equal(201, created.Status);
        var id = (await created.JsonAsync())!.Value.GetProperty("id").GetString();
        var deleted = await api.DeleteAsync($"/api/v1/applications/{id}", new() { Headers = origin });
        Assert.Equal(204, deleted.Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Users_CannotBeCreatedWithoutARole_AndTheMessageStandsBesideTheRoles_WhenAnAdministratorForgetsOne()
    {
        var page = await Journey.OpenAsync(portal, await AdminAsync(), "/admin");
        await page.Locator(".mud-tab", new() { HasText = "Users" }).First.ClickAsync();
        var users = page.Locator("[data-testid=users]");
        await users.WaitForAsync();
        // The other tabs stay rendered (hidden), and Connections has a "User name" too: work inside the Users tab only,
        // the innermost element holding both its table and its button.
        var tab = page.Locator("div", new() { Has = users }).Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Save account" }) }).Last;
        await tab.GetByLabel("User name").FillAsync("rolf");
        await tab.GetByLabel("Display name").FillAsync("Rolf");
        await tab.GetByLabel("Password", new() { Exact = true }).FillAsync(PortalServer.Password);
        await tab.GetByRole(AriaRole.Button, new() { Name = "Save account" }).ClickAsync();

        var rolesError = tab.Locator(".mud-typography-caption.mud-error-text").First;
        await rolesError.WaitForAsync();
        Assert.Contains("Choose at least one role", await rolesError.InnerTextAsync());
        Assert.Equal(0, await users.Locator("td", new() { HasTextString = "rolf" }).CountAsync());

        // With a role it is created, and a snackbar says so.
        await tab.GetByLabel("Requester", new() { Exact = true }).CheckAsync();
        await tab.GetByRole(AriaRole.Button, new() { Name = "Save account" }).ClickAsync();
        await Journey.SnackbarAsync(page, "Account saved.");
        var row = users.Locator("tr", new() { HasText = "rolf" });
        await row.WaitForAsync();
        Assert.Contains("Requester", await row.InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task HostEvacuation_CanBeSubmittedForTheNextWindow_WhenAMaintenanceWindowCoversTheHostsVms()
    {
        // A nightly window over the host's cluster, so every VM on the host is covered.
        var olga = await Journey.UserAsync(portal, "olga");
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var connection = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Hosts.Where(h => h.ExternalId == "demo-host-b2").Select(h => h.ConnectionId).SingleAsync();
            await scope.ServiceProvider.GetRequiredService<SaveMaintenanceWindow>().HandleAsync(olga, null, new CalendarPeriodInput(
                "e2e-cluster-b-nightly", RecurrenceKind.RRule, "FREQ=DAILY", "Etc/UTC", today.AddDays(-1).ToDateTime(new TimeOnly(1, 0)), 240,
                WindowScopeKind.Cluster, connection, "Demo-Cluster-B"));
        }

        var (hostId, vmCount) = await portal.HostAsync("demo-host-b2");
        var page = await Journey.OpenAsync(portal, "olga", $"/hosts/{hostId}");
        var schedule = page.Locator("[data-testid=evacuation-schedule]");
        await schedule.WaitForAsync();
        Assert.Contains("e2e-cluster-b-nightly", await schedule.Locator("[data-testid=window-required]").InnerTextAsync());

        // The wizard's choices: as soon as approved is not possible here; the next window is chosen for the user.
        var radios = schedule.Locator("[data-testid=schedule] input[type=radio]");
        Assert.Equal(4, await radios.CountAsync());
        Assert.True(await schedule.GetByLabel("As soon as approved").IsDisabledAsync());
        Assert.True(await schedule.GetByLabel("Next maintenance window").IsCheckedAsync());
        Assert.True(await schedule.GetByLabel("In a window I choose").IsEnabledAsync());
        Assert.True(await schedule.GetByLabel("At a specific time inside a window").IsEnabledAsync());

        // A named window can be picked; then back to the next window.
        await schedule.GetByLabel("In a window I choose").CheckAsync();
        await Journey.PickAsync(page, "[data-testid=window-select]", "e2e-cluster-b-nightly");
        await schedule.GetByLabel("Next maintenance window").CheckAsync();

        // Submitting needs a reason beside its field, then goes through: a snackbar, no row in error.
        await page.ClickAsync("[data-testid=submit-evacuation]");
        Assert.Contains("Say why", await Journey.FieldError(page, "evacuation-justification").InnerTextAsync());
        await Journey.Field(page, "evacuation-justification").FillAsync("Firmware upgrade on demo-esx-b2");
        await page.ClickAsync("[data-testid=submit-evacuation]");
        await Journey.SnackbarAsync(page, $"Evacuation of demo-esx-b2 submitted: {vmCount.ToString(CultureInfo.InvariantCulture)} move(s) in one batch.");
        Assert.Equal(0, await page.Locator("[data-testid=move-error]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=evacuation-problem]").CountAsync());
        await page.Context.CloseAsync();
    }
}
