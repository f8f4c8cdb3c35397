using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MudBlazor;
using MudBlazor.Services;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>A bunit context with MudBlazor's services and the popover provider its selects need.</summary>
public abstract class ComponentTestContext : BunitContext
{
    protected ComponentTestContext()
    {
        Services.AddMudServices();
        Services.AddScoped<MigrationPortal.Web.Components.Shared.UserTimeZone>();
        // The shipped kinds' descriptors, as the portal registers them: pages take names, fields and wording from them.
        Services.AddSingleton<IConnectorKinds>(new ConnectorKinds([new DemoDescriptor(), new VSphereDescriptor(), new LibvirtDescriptor()]));
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    /// <summary>
    /// xunit 2 disposes test classes synchronously, but MudBlazor's popover service can only be disposed asynchronously;
    /// route the synchronous dispose through bunit's asynchronous path.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
    }
}
