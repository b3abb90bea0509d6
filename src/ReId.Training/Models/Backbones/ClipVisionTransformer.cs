using ReId.Training.Utils;
using TorchSharp;
using TorchSharp.Modules;
using ReId.MLNet.Onnx;
using ReId.Training.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Models.Backbones;

/// <summary>
/// CLIP ViT image encoder with OpenAI parameter names (conv1, class_embedding, positional_embedding,
/// ln_pre, transformer.resblocks.i, ln_post, proj), plus CLIP-ReID's options: a non-square input grid,
/// overlapping patches and SIE camera embeddings (<c>cv_embed</c>) added to the class token.
/// <c>forward</c> returns the projected class token; <see cref="Encode"/> returns all outputs.
/// </summary>
public sealed class ClipVisionTransformer : nn.Module<Tensor, Tensor>, IOnnxExportable, IClipImageEncoder, ISideInformationModule
{
    private readonly Conv2d conv1;
    private readonly Parameter class_embedding;
    private readonly Parameter positional_embedding;
    private readonly LayerNorm ln_pre;
    private readonly ClipTransformer transformer;
    private readonly LayerNorm ln_post;
    private readonly Parameter? proj;
    private readonly Parameter? cv_embed;

    /// <summary>Creates a randomly initialised encoder.</summary>
    public ClipVisionTransformer(ClipVisionOptions options) : base(nameof(ClipVisionTransformer))
    {
        options.Validate();
        Options = options;
        int w = options.Width;
        float scale = (float)Math.Pow(w, -0.5);
        conv1 = nn.Conv2d(3, w, options.PatchSize, stride: options.EffectiveStride, bias: false);
        class_embedding = new Parameter(torch.randn(w).Mul(scale));
        positional_embedding = new Parameter(torch.randn(options.GridHeight * options.GridWidth + 1, w).Mul(scale));
        ln_pre = nn.LayerNorm(w, eps: 1e-5);
        transformer = new ClipTransformer(w, options.Layers, options.EffectiveHeads);
        ln_post = nn.LayerNorm(w, eps: 1e-5);
        if (options.OutputDim > 0)
            proj = new Parameter(torch.randn(w, options.OutputDim).Mul(scale));
        if (options.CameraCount > 0)
            cv_embed = new Parameter(torch.randn(options.CameraCount, w).Mul(0.02f));
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public ClipVisionOptions Options { get; }

    /// <summary>Size of the projected output (width when there is no projection).</summary>
    public int EmbeddingSize => Options.OutputDim > 0 ? Options.OutputDim : Options.Width;

    /// <inheritdoc/>
    public int FeatureSize => Options.Width;

    /// <inheritdoc/>
    public (Tensor Feature, Tensor Projected) EncodeForReId(Tensor images)
    {
        var o = Encode(images);
        o.PatchTokens.Dispose();
        return (o.ClassToken, o.Projected);
    }

    /// <inheritdoc/>
    public (string Feature, string Projected) ExportForReId(OnnxExportContext ctx, string input) => ExportFeatures(ctx, input);

    /// <summary>Images [B, 3, H, W] → projected class token [B, outputDim].</summary>
    public override Tensor forward(Tensor x)
    {
        using var o = Encode(x);
        return o.Projected.alias();
    }

    /// <summary>Images [B, 3, H, W] with camera positions [B] (SIE; views are not used) → projected class token.</summary>
    public Tensor forward(Tensor images, Tensor? cameras, Tensor? views)
    {
        using var o = Encode(images, cameras);
        return o.Projected.alias();
    }

    /// <summary>Images [B, 3, H, W] (and camera ids [B] when SIE is on) → projected, class and patch tokens.</summary>
    /// <param name="withoutCameraTerm">Encode without the SIE term even though the encoder has one (CLIP-ReID's prompt learning).</param>
    public ClipVisionOutput Encode(Tensor images, Tensor? cameras = null, bool withoutCameraTerm = false)
    {
        using var scope = torch.NewDisposeScope();
        var x = conv1.ForwardSafe(images);                      // [B, W, gh, gw]
        long b = x.shape[0], w = x.shape[1];
        x = x.reshape(b, w, -1).permute(0, 2, 1);             // [B, gh·gw, W]
        var cls = class_embedding.reshape(1, 1, w).expand(b, 1, w);
        x = torch.cat([cls, x], 1).Add(positional_embedding.unsqueeze(0));
        if (cv_embed is not null && !withoutCameraTerm)
        {
            if (cameras is null)
                throw new ArgumentException("This encoder has camera embeddings (SIE); pass the camera ids.", nameof(cameras));
            // CLIP-ReID adds the camera embedding to the class token only.
            var cam = cv_embed.index_select(0, cameras.to(ScalarType.Int64)).Mul(Options.CameraCoefficient);
            var first = x.narrow(1, 0, 1).Add(cam.unsqueeze(1));
            x = torch.cat([first, x.narrow(1, 1, x.shape[1] - 1)], 1);
        }
        x = ln_pre.forward(x);
        x = transformer.forward(x, null);
        x = ln_post.forward(x);
        var clsOut = x.select(1, 0);
        var patches = x.narrow(1, 1, x.shape[1] - 1);
        var projected = proj is null ? clsOut.alias() : clsOut.matmul(proj);
        return new ClipVisionOutput(projected.MoveToOuterDisposeScope(), clsOut.MoveToOuterDisposeScope(), patches.contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>Writes the projected class token computation (no camera embedding) into an ONNX graph.</summary>
    public string Export(OnnxExportContext ctx, string input) => ExportFeatures(ctx, input).Projected;

    /// <summary>Writes the encoder into an ONNX graph; returns the final class token and its projection.</summary>
    internal (string ClassToken, string Projected) ExportFeatures(OnnxExportContext ctx, string input)
    {
        if (cv_embed is not null && ctx.CameraInput is null)
            throw new NotSupportedException("This encoder has SIE camera embeddings: export it with a camera input (OnnxExporter.Export(..., cameraInput: true)).");
        var g = ctx.Graph;
        long w = Options.Width;
        string x = g.Node("Conv", [input, ctx.Weight("visual.conv1.weight", conv1.weight!)],
            OnnxAttribute.Ints("kernel_shape", Options.PatchSize, Options.PatchSize),
            OnnxAttribute.Ints("strides", Options.EffectiveStride, Options.EffectiveStride));
        x = g.Node("Transpose", [g.Node("Reshape", [x, ctx.Ints(0, w, -1)])], OnnxAttribute.Ints("perm", 0, 2, 1));
        string batch = g.Node("Shape", [input], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 1));
        string clsShape = g.Node("Concat", [batch, ctx.Ints(1, w)], OnnxAttribute.Int("axis", 0));
        string cls = g.Node("Expand", [ctx.Weight("visual.class_embedding", class_embedding.reshape(1, 1, w)), clsShape]);
        x = g.Node("Concat", [cls, x], OnnxAttribute.Int("axis", 1));
        x = g.Node("Add", [x, ctx.Weight("visual.positional_embedding", positional_embedding.unsqueeze(0))]);
        if (cv_embed is not null)
        {
            // SIE: the (scaled) embedding of each image's camera is added to its class token only.
            using var scaled = cv_embed.Mul(Options.CameraCoefficient);
            string cam = g.Node("Unsqueeze", [ctx.IdEmbedding("visual.cv_embed", scaled, ctx.CameraInput!), ctx.Ints(1)]);
            string first = g.Node("Slice", [x, ctx.Ints(0), ctx.Ints(1), ctx.Ints(1)]);
            string rest = g.Node("Slice", [x, ctx.Ints(1), ctx.Ints(long.MaxValue), ctx.Ints(1)]);
            x = g.Node("Concat", [g.Node("Add", [first, cam]), rest], OnnxAttribute.Int("axis", 1));
        }
        x = ctx.LayerNorm(x, "visual.ln_pre", ln_pre.weight!, ln_pre.bias!, 1e-5f);
        x = transformer.Export(ctx, x, "visual.transformer", causalMask: null);
        string clsOut = g.Node("Gather", [x, g.Constant(new long[] { 0 })], OnnxAttribute.Int("axis", 1));
        clsOut = ctx.LayerNorm(clsOut, "visual.ln_post", ln_post.weight!, ln_post.bias!, 1e-5f);
        return (clsOut, proj is null ? clsOut : g.Node("MatMul", [clsOut, ctx.Weight("visual.proj", proj)]));
    }

    /// <summary>
    /// Resizes a positional embedding [1 + oldH·oldW, D] to a new grid, keeping the class position,
    /// with bilinear or bicubic interpolation of the grid part (as CLIP-ReID does for 256×128 inputs).
    /// </summary>
    public static Tensor ResizePositionalEmbedding(Tensor pos, int oldH, int oldW, int newH, int newW, bool bicubic = true)
    {
        if (pos.dim() != 2 || pos.shape[0] != 1 + (long)oldH * oldW)
            throw new ArgumentException($"Positional embedding of shape [{string.Join(",", pos.shape)}] does not match a {oldH}x{oldW} grid plus the class position.", nameof(pos));
        if (oldH == newH && oldW == newW) return pos.clone();
        using var scope = torch.NewDisposeScope();
        long d = pos.shape[1];
        var cls = pos.narrow(0, 0, 1);
        var grid = pos.narrow(0, 1, (long)oldH * oldW).reshape(1, oldH, oldW, d).permute(0, 3, 1, 2);
        var resized = nn.functional.interpolate(grid, size: [newH, newW],
            mode: bicubic ? InterpolationMode.Bicubic : InterpolationMode.Bilinear, align_corners: false);
        var flat = resized.permute(0, 2, 3, 1).reshape((long)newH * newW, d);
        return torch.cat([cls, flat], 0).MoveToOuterDisposeScope();
    }
}
