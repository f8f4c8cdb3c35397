using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using MigrationPortal.Infrastructure.Connectors.Demo;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The VMware → KVM journey on the demo inventory: a requester converts a demo VM to the demo KVM connection in the wizard
/// (inheriting the demo maps), an approver approves, the real conversion steps run on the demo connector, and the request
/// page shows it Succeeded with the source and the new VM.
/// </summary>
public sealed partial class JourneyTests
{
    /// <summary>demo-vm-05: a powered-on demo-payments VM on demo-ds-b1 and the VM network (not the one the move journey takes).</summary>
    private const string ConvertedVm = "demo-payments-05";
    private const string ConvertedVmId = "demo-vm-05";

    [Fact]
    public async Task Journey_RequesterConvertsADemoVmToKvm_ReviewShowsEachNicAndDisk_AndTheRequestEndsWithBothIdentities()
    {
        // 1. The requester picks the VM and the kind "VMware → KVM", which the demo offers because an itinerary converts demo to demo.
        var requester = await portal.SignInAsync("rita");
        await requester.GotoAsync("/requests/new");
        await PortalServer.WaitInteractiveAsync(requester);
        await requester.ClickAsync("[data-testid=vm-select]");
        await requester.Locator(".mud-popover-open .mud-list-item", new() { HasText = ConvertedVm }).First.ClickAsync();
        await requester.GetByText("New migration request").ClickAsync();
        await requester.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await NextAsync(requester, 1);
        await requester.ClickAsync("[data-testid=kind-cross-platform]");
        await requester.Locator("[data-testid=conversion-cold]").WaitForAsync();
        await NextAsync(requester, 2);

        // 2. The destination is the demo KVM connection and one of its hosts; the maps are the pair's only ones, inherited.
        await PickAsync(requester, "destination-select", DemoKvmWorldShape.ConnectionName);
        await PickAsync(requester, "host-select", DemoKvmWorldShape.Hosts[0].Name);
        await requester.Locator("[data-testid=network-map-inherited]").WaitForAsync();
        await requester.Locator("[data-testid=storage-map-inherited]").WaitForAsync();
        await NextAsync(requester, 3);
        await NextAsync(requester, 4);
        await requester.FillAsync("[data-testid=wizard] textarea", "Leaving VMware: the payments VMs move to KVM");
        await NextAsync(requester, 5);

        // 3. The review says what each NIC and disk becomes, from the inherited maps.
        var nics = requester.Locator("[data-testid=nic-mapping]");
        await nics.WaitForAsync();
        Assert.Contains($"{DemoWorldShape.VmNetwork}", await nics.InnerTextAsync());
        Assert.Contains($"network {DemoKvmWorldShape.Network}", await nics.InnerTextAsync());
        var disks = await requester.Locator("[data-testid=disk-mapping]").InnerTextAsync();
        Assert.Contains("demo-ds-b1", disks);
        Assert.Contains(DemoKvmWorldShape.BulkPool, disks);
        Assert.Contains("raw", disks);
        Assert.Contains(ConvertedVm, await requester.Locator("[data-testid=conversion-review]").InnerTextAsync());
        await requester.Locator("[data-testid=approval-path]").WaitForAsync();
        Assert.Equal(0, await requester.Locator("[data-testid=blocked]").CountAsync());
        // The demo moves nothing over a network: its encryption finding says the legs are unprotected and that the demo
        // connections' policy allows it, a Warning the requester accepts.
        var warning = requester.Locator("[data-testid=finding][data-severity=Warning]", new() { HasText = "Encryption" });
        Assert.Contains("NOT pinned", await warning.First.InnerTextAsync());
        await requester.GetByText("I have read the warnings and accept them").ClickAsync();
        await requester.Locator("button[data-testid=submit]:not([disabled])").WaitForAsync();
        await AssertAccessibleAsync(requester, "the conversion review");
        await PortalServer.ScreenshotAsync(requester, "wizard-conversion-review");
        await requester.ClickAsync("button[data-testid=submit]");
        await requester.WaitForURLAsync(RequestUrl());
        var requestId = RequestUrl().Match(requester.Url).Groups[1].Value;
        await requester.Locator("[data-testid=state]", new() { HasText = "Pending approval" }).WaitForAsync();

        // 4. An approver approves it from the inbox.
        var approver = await portal.SignInAsync("anna");
        await approver.GotoAsync("/approvals");
        await PortalServer.WaitInteractiveAsync(approver);
        var item = approver.Locator("[data-testid=inbox-item]", new() { HasText = ConvertedVm }).First;
        await item.WaitForAsync();
        await item.Locator("textarea").FillAsync("Approved: first VM of the KVM move");
        await item.Locator("button[data-testid=approve]").ClickAsync();
        await approver.Locator("[data-testid=inbox-item]", new() { HasText = ConvertedVm }).WaitForAsync(new() { State = WaitForSelectorState.Detached });

        // 5. It runs (shut down, export, qemu-img into a demo pool volume, define, first boot); the open page turns Succeeded.
        try
        {
            await requester.Locator("[data-testid=state]", new() { HasText = "Succeeded" }).WaitForAsync(new() { Timeout = 180_000 });
        }
        catch (TimeoutException)
        {
            await PortalServer.ScreenshotAsync(requester, "failed-conversion");
            throw new TimeoutException($"The conversion did not succeed. Server state: {await portal.DescribeRequestAsync(Guid.Parse(requestId))}");
        }

        // 6. The page names both identities: the source VM on the demo vCenter-like connection and the new domain (the
        // source's BIOS UUID, kept by default) on the demo KVM connection.
        await requester.ReloadAsync();
        await PortalServer.WaitInteractiveAsync(requester);
        await requester.Locator("[data-testid=state]", new() { HasText = "Succeeded" }).WaitForAsync();
        var source = await requester.Locator("[data-testid=conversion-source]").InnerTextAsync();
        Assert.Contains($"{ConvertedVm} on {DemoWorldShape.ConnectionName}", source);
        var domain = await requester.Locator("[data-testid=conversion-domain]").InnerTextAsync();
        Assert.Contains($"{ConvertedVm} on {DemoKvmWorldShape.ConnectionName}", domain);
        Assert.Contains(DemoConnector.BiosUuidOf(ConvertedVmId), domain);
        await PortalServer.ScreenshotAsync(requester, "request-conversion");
        // Known until the lead merges the owners' fixes (issue 13): MigrationProgressBar.razor's MudProgressLinear needs an
        // aria-label, and RequestDetail.razor's step table needs its scroll container focusable (tabindex="0" with a name).
        // Colour contrast is checked: the theme (PortalTheme.cs) fixed the Succeeded chip.
        await AssertAccessibleAsync(requester, "the converted request");
        Assert.Empty(portal.CspViolations);
    }

    /// <summary>axe-core's serious and critical findings on the page as it stands (the WCAG 2.1 A and AA rules).</summary>
    private static async Task AssertAccessibleAsync(IPage page, string what, params string[] except)
    {
        var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical" && !except.Contains(v.Id)).ToList();
        Assert.True(serious.Count == 0, $"axe-core on {what}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))}")));
    }
}
