using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The browser journeys of the portal, in Debian's Chromium. Waiting is by page state (elements, attributes, URLs), never by
/// sleeping. Every page visited is saved as a full-page screenshot in docs/screenshots.
/// </summary>
public sealed partial class JourneyTests(PortalServer portal) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Journey_RequestApproveWatchProgressThenAudit()
    {
        // 1. A requester signs in and asks for a migration of a demo VM through the wizard.
        var requester = await portal.SignInAsync("rita");
        await PortalServer.WaitInteractiveAsync(requester);
        await PortalServer.ScreenshotAsync(requester, "dashboard");
        await AssertNavigationAsync(requester, shows: ["Inventory", "New request", "Requests"], hides: ["Approvals", "Audit", "Administration"]);
        await requester.GotoAsync("/inventory");
        await PortalServer.WaitInteractiveAsync(requester);
        await requester.Locator("[data-testid=inventory-grid] a", new() { HasTextRegex = VmName() }).First.WaitForAsync();
        await PortalServer.ScreenshotAsync(requester, "inventory");
        await requester.GotoAsync("/requests/new");
        await PortalServer.WaitInteractiveAsync(requester);
        await requester.ClickAsync("[data-testid=vm-select]");
        await requester.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = VmName() }).First.ClickAsync();
        // A multi-select stays open; clicking outside closes it (its overlay would otherwise cover the buttons).
        await requester.GetByText("New migration request").ClickAsync();
        await requester.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await PortalServer.ScreenshotAsync(requester, "wizard-vm");
        await NextAsync(requester, 1);
        await NextAsync(requester, 2);
        await requester.ClickAsync("[data-testid=host-select]");
        await requester.Locator(".mud-popover-open .mud-list-item:not(.mud-list-item-disabled)").First.ClickAsync();
        await requester.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await PortalServer.ScreenshotAsync(requester, "wizard-target");
        await NextAsync(requester, 3);
        await NextAsync(requester, 4);
        await requester.FillAsync("[data-testid=wizard] textarea", "Host firmware upgrade on the old host");
        await NextAsync(requester, 5);
        await requester.Locator("[data-testid=approval-path]").WaitForAsync();
        Assert.Contains("1 approval", await requester.Locator("[data-testid=approval-path]").InnerTextAsync());
        await PortalServer.ScreenshotAsync(requester, "wizard-review");
        await requester.ClickAsync("button[data-testid=submit]");
        await requester.WaitForURLAsync(RequestUrl());
        var requestId = RequestUrl().Match(requester.Url).Groups[1].Value;
        await requester.Locator("[data-testid=state]", new() { HasText = "Pending approval" }).WaitForAsync();
        await PortalServer.ScreenshotAsync(requester, "request-pending");

        // 2. An approver, another person, approves it from the inbox.
        var approver = await portal.SignInAsync("anna");
        await AssertNavigationAsync(approver, shows: ["Approvals"], hides: ["New request", "Audit", "Administration"]);
        await approver.GotoAsync("/approvals");
        await PortalServer.WaitInteractiveAsync(approver);
        var item = approver.Locator("[data-testid=inbox-item]").First;
        await item.WaitForAsync();
        Assert.Contains("Policy:", await item.Locator("[data-testid=policy-reason]").InnerTextAsync());
        await PortalServer.ScreenshotAsync(approver, "approvals-inbox");
        await item.Locator("textarea").FillAsync("Approved for the maintenance");
        await item.Locator("button[data-testid=approve]").ClickAsync();
        try
        {
            await approver.Locator("[data-testid=inbox-empty]").WaitForAsync();
        }
        catch (TimeoutException)
        {
            await PortalServer.ScreenshotAsync(approver, "failed-approval");
            throw new TimeoutException($"The inbox did not empty. Server state: {await portal.DescribeRequestAsync(Guid.Parse(requestId))}");
        }

        // 3. The job runs on the demo connector; the requester's open page shows progress, then Succeeded, with no reload.
        var percents = new List<int>();
        var progress = requester.Locator("[data-testid=progress]");
        await progress.WaitForAsync(new() { Timeout = 60_000 });
        var captured = false;
        while (!await requester.Locator("[data-testid=state]", new() { HasText = "Succeeded" }).IsVisibleAsync())
        {
            var value = await progress.GetAttributeAsync("data-percent");
            if (int.TryParse(value, out var p) && (percents.Count == 0 || percents[^1] != p)) percents.Add(p);
            if (!captured && p is > 0 and < 100)
            {
                await PortalServer.ScreenshotAsync(requester, "request-progress");
                captured = true;
            }

            // Wait for the next change of the bar or the state, not for a fixed time.
            await requester.WaitForFunctionAsync(
                "([last]) => { const p = document.querySelector('[data-testid=progress]'); const s = document.querySelector('[data-testid=state]'); return (p && p.dataset.percent !== last) || (s && s.textContent.includes('Succeeded')); }",
                new object[] { value ?? "" }, new() { Timeout = 60_000 });
        }

        Assert.True(percents.Count >= 2, $"The bar should have advanced in steps; saw {string.Join(", ", percents)}.");
        Assert.Equal(percents.OrderBy(p => p), percents);
        await PortalServer.ScreenshotAsync(requester, "request-succeeded");

        // 4. An auditor filters the audit trail by the request, exports CSV and verifies the chain.
        var auditor = await portal.SignInAsync("aldo");
        await AssertNavigationAsync(auditor, shows: ["Audit"], hides: ["New request", "Approvals", "Administration"]);
        await auditor.GotoAsync("/audit");
        await PortalServer.WaitInteractiveAsync(auditor);
        await auditor.FillAsync("[data-testid=filter-request] input, input[data-testid=filter-request]", requestId);
        await auditor.ClickAsync("[data-testid=apply-filter]");
        await auditor.Locator("[data-testid=audit-table] td", new() { HasText = "request.approved" }).First.WaitForAsync();
        var download = await auditor.RunAndWaitForDownloadAsync(() => auditor.ClickAsync("[data-testid=export-csv]"));
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains("request.submitted", csv);
        Assert.Contains("request.approved", csv);
        Assert.All(csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1), line => Assert.Contains(requestId, line));
        await auditor.ClickAsync("[data-testid=verify]");
        var verdict = auditor.Locator("[data-testid=verify-result]");
        await verdict.WaitForAsync();
        Assert.Contains("intact", await verdict.InnerTextAsync());
        await PortalServer.ScreenshotAsync(auditor, "audit");

        // 5. A requester of another application cannot open this request by URL: the 403 page.
        var other = await portal.SignInAsync("otto");
        await other.GotoAsync($"/requests/{requestId}");
        await other.Locator("[data-testid=forbidden]").WaitForAsync();
        await PortalServer.ScreenshotAsync(other, "forbidden");

        // 6. No page of the journey broke the Content-Security-Policy.
        Assert.Empty(portal.CspViolations);
    }

    /// <summary>The navigation shows only what the user's roles allow (the server checks again on every page and action).</summary>
    private static async Task AssertNavigationAsync(IPage page, string[] shows, string[] hides)
    {
        var nav = page.Locator(".mud-navmenu");
        await nav.WaitForAsync();
        var text = await nav.InnerTextAsync();
        Assert.All(shows, s => Assert.Contains(s, text));
        Assert.All(hides, h => Assert.DoesNotContain(h, text));
    }

    private static async Task NextAsync(IPage page, int expectedStep)
    {
        await page.ClickAsync("button[data-testid=next]");
        await page.Locator($"[data-testid=wizard][data-step='{expectedStep}']").WaitForAsync();
    }

    [GeneratedRegex("^demo-payments-\\d+")]
    private static partial Regex VmName();

    [GeneratedRegex("/requests/([0-9a-f-]{36})$")]
    private static partial Regex RequestUrl();
}
