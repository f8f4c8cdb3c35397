using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The request wizard as a vCenter/HCX/MTV user walks it, in Debian's Chromium with the browser in Europe/Berlin: a batch
/// with a target per VM proposed from each VM's own cluster, "same for all" and the "already runs there" notice beside the
/// field, prechecks at the target step, a start time picked in the user's zone and shown with UTC, the justification's
/// counter, one VM removed at review, and the batch page with its requests and a confirmation. Each step is checked by axe.
/// </summary>
public sealed partial class WizardJourneyTests(PortalServer portal) : IClassFixture<PortalServer>
{
    private const string Zone = "Europe/Berlin";

    [Fact]
    public async Task Journey_BatchWithPerVmTargets_RemovesOneAtReview_AndLandsOnTheBatchPage()
    {
        var page = await SignInAsync("rita");
        await page.GotoAsync("/requests/new");
        await PortalServer.WaitInteractiveAsync(page);
        var failures = new List<string>();

        // 1. Three of Rita's VMs: demo-payments-01 (demo-esx-a1) and -09 (demo-esx-a3) in cluster A, -05 (demo-esx-b2) in cluster B.
        await page.ClickAsync("[data-testid=vm-select]");
        foreach (var vm in new[] { "demo-payments-01", "demo-payments-05", "demo-payments-09" })
            await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = vm }).First.ClickAsync();
        await page.GetByText("New migration request").ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await NextAsync(page, 1);
        await NextAsync(page, 2);

        // 2. One row per VM, each proposed from its own cluster.
        Assert.Equal(3, await page.Locator("[data-testid=target-row]").CountAsync());
        Assert.Matches("^demo-esx-a[23]$", await HostShownAsync(page, "demo-payments-01"));
        Assert.Matches("^demo-esx-b[13]$", await HostShownAsync(page, "demo-payments-05"));
        Assert.Matches("^demo-esx-a[12]$", await HostShownAsync(page, "demo-payments-09"));
        await CheckAxeAsync(page, "wizard: target table", failures);

        // 3. demo-esx-a3 for -01, then "same for all": -09 runs there already, and -05's cluster does not mount -01's datastores; both rows say so at once.
        await ChooseHostAsync(page, "demo-payments-01", "demo-esx-a3");
        await Row(page, "demo-payments-01").Locator("button[data-testid=same-for-all]").ClickAsync();
        await Row(page, "demo-payments-09").Locator(".mud-input-helper-text.mud-input-error", new() { HasText = "demo-payments-09 already runs on demo-esx-a3." }).WaitForAsync();
        Assert.Contains("does not mount", await Row(page, "demo-payments-05").Locator(".mud-input-helper-text.mud-input-error").First.InnerTextAsync());
        await PortalServer.ScreenshotAsync(page, "wizard-batch-targets");

        // Next is refused while a row is wrong; fixing the rows clears their notices.
        await page.ClickAsync("button[data-testid=next]");
        Assert.Equal("2", await page.Locator("[data-testid=wizard]").GetAttributeAsync("data-step"));
        await ChooseHostAsync(page, "demo-payments-09", "demo-esx-a1");
        await ChooseHostAsync(page, "demo-payments-05", "demo-esx-b1");
        Assert.Equal(0, await page.Locator("[data-testid=target-table] .mud-input-error").CountAsync());

        // 4. Each row's prechecks ran here, where its target can still be changed.
        foreach (var vm in new[] { "demo-payments-01", "demo-payments-05", "demo-payments-09" })
            await Row(page, vm).Locator("[data-testid=target-checked], [data-testid=target-finding]").First.WaitForAsync(new() { Timeout = 30_000 });
        await NextAsync(page, 3);

        // 5. A start time picked in the browser's zone, shown there and in UTC.
        await page.Locator("[data-testid=schedule] label", new() { HasText = "At a specific time" }).ClickAsync();
        // A wall-clock date in the browser's zone (Unspecified kind, as ConvertTimeToUtc needs), from the portal's clock.
        var day = DateTime.SpecifyKind(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<TimeProvider>(portal.Services)
            .GetUtcNow().UtcDateTime.Date.AddDays(2), DateTimeKind.Unspecified);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var utc = TimeZoneInfo.ConvertTimeToUtc(day.AddHours(22).AddMinutes(30), berlin);
        var expected = $"{day:yyyy-MM-dd} 22:30 {Zone} ({(utc.Date == day ? utc.ToString("HH:mm") : utc.ToString("yyyy-MM-dd HH:mm"))} UTC)";
        var dateInput = page.Locator("input[data-testid=not-before-date], [data-testid=not-before-date] input").First;
        var timeInput = page.Locator("input[data-testid=not-before-time], [data-testid=not-before-time] input").First;
        var shown = page.Locator("[data-testid=not-before-shown]", new() { HasText = expected });
        // The pickers appear once "At a specific time" is chosen; text typed while they are being rendered can be lost, as a
        // person would see and type again. Up to three rounds; the last failure says what the page showed instead.
        for (var attempt = 1; ; attempt++)
        {
            await dateInput.WaitForAsync();
            await dateInput.FillAsync(day.ToString("yyyy-MM-dd"));
            await dateInput.PressAsync("Tab");
            await timeInput.FillAsync("22:30");
            await timeInput.PressAsync("Tab");
            try
            {
                await shown.WaitForAsync(new() { Timeout = 10_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Expected '{expected}'; the schedule step shows: {await page.Locator("[data-testid=schedule]").InnerTextAsync()}");
            }
        }
        Assert.Contains($"Start date ({Zone})", await page.Locator("[data-testid=not-before]").InnerTextAsync());
        await CheckAxeAsync(page, "wizard: schedule", failures);
        await NextAsync(page, 4);

        // 6. The justification counts against its limit as the user types.
        const string why = "Rack A is retired: move the payments VMs";
        await page.FillAsync("textarea[data-testid=justification], [data-testid=justification] textarea", why);
        await page.GetByText($"{why.Length} / 2000").WaitForAsync();
        await NextAsync(page, 5);

        // 7. The review says what is asked, per VM; -05 is taken out of the batch.
        await page.Locator("[data-testid=review-vm] [data-testid=approval-path]").Nth(2).WaitForAsync(new() { Timeout = 30_000 });
        var first = ReviewCard(page, "demo-payments-01");
        Assert.Contains("host demo-esx-a3 (now on demo-esx-a1)", await first.Locator("[data-testid=review-target]").InnerTextAsync());
        Assert.Contains(expected, await first.Locator("[data-testid=review-schedule]").InnerTextAsync());
        Assert.Equal(why, await first.Locator("[data-testid=review-justification]").InnerTextAsync());
        Assert.StartsWith("Live", await first.Locator("[data-testid=review-live]").InnerTextAsync());
        Assert.Equal("Required in transit", await first.Locator("[data-testid=review-encryption]").InnerTextAsync());
        Assert.Contains("Approval:", await first.Locator("[data-testid=approval-path]").InnerTextAsync());
        await ReviewCard(page, "demo-payments-05").Locator("button[data-testid=remove-vm]").ClickAsync();
        await page.Locator("[data-testid=review-vm]").Nth(2).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Contains("A batch of 2 requests", await page.Locator("[data-testid=review-summary]").InnerTextAsync());
        await CheckAxeAsync(page, "wizard: review", failures);
        await PortalServer.ScreenshotAsync(page, "wizard-batch-review");
        if (await page.Locator("[data-testid=accept-warnings]").CountAsync() > 0) await page.Locator("[data-testid=accept-warnings] input").CheckAsync();

        // 8. Submitted: the batch page lists its two requests with their states, and a snackbar confirms.
        await page.ClickAsync("button[data-testid=submit]");
        await page.WaitForURLAsync(BatchUrl());
        await page.Locator(".mud-snackbar", new() { HasText = "Batch of 2 requests submitted." }).WaitForAsync();
        await page.Locator("[data-testid=batch-request]").Nth(1).WaitForAsync();
        var rows = page.Locator("[data-testid=batch-request]");
        Assert.Equal(2, await rows.CountAsync());
        Assert.Equal(["demo-payments-01", "demo-payments-09"], (await rows.Locator("a").AllInnerTextsAsync()).Select(t => t.Trim()));
        Assert.All(await rows.AllInnerTextsAsync(), text => Assert.Contains("Pending approval", text));
        Assert.Contains(why, await page.Locator("[data-testid=batch-justification]").InnerTextAsync());
        await CheckAxeAsync(page, "batch page", failures);
        await PortalServer.ScreenshotAsync(page, "batch");

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Empty(portal.CspViolations);
    }

    private Task<IPage> SignInAsync(string user) => Journey.SignInAsync(portal, user,
        new BrowserNewContextOptions { TimezoneId = Zone, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });

    private static ILocator Row(IPage page, string vm) => page.Locator($"[data-testid=target-row][data-vm-name='{vm}']");

    private static ILocator ReviewCard(IPage page, string vm) => page.Locator($"[data-testid=review-vm][data-vm-name='{vm}']");

    private static Task<string> HostShownAsync(IPage page, string vm) => Row(page, vm).Locator("input[data-testid=host-select], [data-testid=host-select] input").First.InputValueAsync();

    private static async Task ChooseHostAsync(IPage page, string vm, string host)
    {
        await Row(page, vm).Locator("[data-testid=host-select]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item:not(.mud-list-item-disabled)").Filter(new() { HasTextRegex = new Regex($"^{Regex.Escape(host)} ") }).First.ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.WaitForFunctionAsync("([vm, host]) => document.querySelector(`[data-testid=target-row][data-vm-name='${vm}'] input[data-testid=host-select], [data-testid=target-row][data-vm-name='${vm}'] [data-testid=host-select] input`)?.value === host",
            new object[] { vm, host });
    }

    private static async Task NextAsync(IPage page, int expectedStep)
    {
        await page.ClickAsync("button[data-testid=next]");
        await page.Locator($"[data-testid=wizard][data-step='{expectedStep}']").WaitForAsync(new() { Timeout = 30_000 });
    }

    /// <summary>WCAG 2.1 AA as AccessibilityJourneyTests checks it: any serious or critical violation is a failure.</summary>
    private static async Task CheckAxeAsync(IPage page, string name, List<string> failures)
    {
        // A snackbar fades in and MudBlazor animates colours: axe must not measure a colour half-way (at most 3 s; never an infinite animation).
        await page.EvaluateAsync(@"() => Promise.race([
            Promise.all(document.getAnimations().filter(a => a.effect?.getComputedTiming().iterations !== Infinity).map(a => a.finished.catch(() => null))),
            new Promise(resolve => setTimeout(resolve, 3000))])");
        // A snackbar is measured by axe while it fades in or out (its opacity blends it with the page); the snackbars' own
        // colours are the theme's, checked on the pages they rest on. Let the confirmation go before measuring the page.
        await page.Locator(".mud-snackbar").First.WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 20_000 });
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        foreach (var v in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            failures.Add($"{name}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}");
    }

    [GeneratedRegex(@"/batches/([0-9a-f-]{36})$")]
    private static partial Regex BatchUrl();
}
