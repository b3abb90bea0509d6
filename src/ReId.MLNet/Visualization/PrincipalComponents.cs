namespace ReId.MLNet.Visualization;

/// <summary>Projection of row vectors onto their first two principal components (for 2-D scatter plots of embeddings).</summary>
/// <remarks>
/// Power iteration with deflation on whichever of the covariance (D×D) or the Gram matrix (N×N) is smaller: both have the
/// same non-zero eigenvalues, and with Gram eigenvector u and eigenvalue λ the projection onto the matching component is
/// u·√λ. Each component's sign is fixed so that its largest-magnitude projection is positive, which makes the picture
/// the same whichever matrix was used and from run to run.
/// </remarks>
internal static class PrincipalComponents
{
    /// <summary>Returns [rows, 2] projections, row-major (x = first component, y = second).</summary>
    /// <param name="useGram">Tests only: force the N×N (true) or D×D (false) route; null picks the smaller matrix.</param>
    public static double[] Project2D(float[] features, int rows, int dim, bool? useGram = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (rows < 2 || dim < 1 || features.Length != (long)rows * dim)
            throw new ArgumentException($"need at least 2 rows of {dim} values; got {features.Length} values for {rows} rows", nameof(features));
        var centred = new double[rows * dim];
        for (int j = 0; j < dim; j++)
        {
            double mean = 0;
            for (int i = 0; i < rows; i++) mean += features[i * dim + j];
            mean /= rows;
            for (int i = 0; i < rows; i++) centred[i * dim + j] = features[i * dim + j] - mean;
        }

        var projections = new double[rows * 2];
        if (!(useGram ?? dim > rows))
        {
            double[] cov = new double[dim * dim];
            for (int i = 0; i < rows; i++)
                for (int a = 0; a < dim; a++)
                {
                    double xa = centred[i * dim + a];
                    if (xa == 0) continue;
                    for (int b = 0; b < dim; b++) cov[a * dim + b] += xa * centred[i * dim + b];
                }
            var (v1, _, v2, _) = TopTwo(cov, dim);
            for (int i = 0; i < rows; i++)
                for (int a = 0; a < dim; a++)
                {
                    projections[2 * i] += centred[i * dim + a] * v1[a];
                    projections[2 * i + 1] += centred[i * dim + a] * v2[a];
                }
        }
        else
        {
            double[] gram = new double[rows * rows];
            for (int i = 0; i < rows; i++)
                for (int k = i; k < rows; k++)
                {
                    double s = 0;
                    for (int a = 0; a < dim; a++) s += centred[i * dim + a] * centred[k * dim + a];
                    gram[i * rows + k] = gram[k * rows + i] = s;
                }
            var (u1, l1, u2, l2) = TopTwo(gram, rows);
            for (int i = 0; i < rows; i++)
            {
                projections[2 * i] = u1[i] * Math.Sqrt(Math.Max(l1, 0));
                projections[2 * i + 1] = u2[i] * Math.Sqrt(Math.Max(l2, 0));
            }
        }
        FixSign(projections, rows, 0);
        FixSign(projections, rows, 1);
        return projections;
    }

    private static (double[] V1, double L1, double[] V2, double L2) TopTwo(double[] matrix, int n)
    {
        var (v1, l1) = PowerIteration(matrix, n, null);
        var (v2, l2) = PowerIteration(matrix, n, v1);
        return (v1, l1, v2, l2);
    }

    /// <summary>Leading eigenvector of a symmetric positive semi-definite matrix, orthogonal to <paramref name="exclude"/>.</summary>
    private static (double[] Vector, double Value) PowerIteration(double[] m, int n, double[]? exclude)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 1.0 + 0.618 * ((i * 7919) % 101) / 101.0; // fixed, generic start: deterministic
        var next = new double[n];
        double value = 0;
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            if (exclude is not null) Orthogonalise(v, exclude);
            if (Normalise(v) == 0) return (v, 0);
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += m[i * n + k] * v[k];
                next[i] = s;
            }
            if (exclude is not null) Orthogonalise(next, exclude);
            double newValue = Dot(v, next);
            double change = 0;
            double norm = Math.Sqrt(Dot(next, next));
            if (norm == 0) return (v, 0);
            for (int i = 0; i < n; i++) change = Math.Max(change, Math.Abs(next[i] / norm - v[i]));
            Array.Copy(next, v, n);
            Normalise(v);
            value = newValue;
            if (change < 1e-10) break;
        }
        return (v, value);
    }

    private static void Orthogonalise(double[] v, double[] against)
    {
        double d = Dot(v, against);
        for (int i = 0; i < v.Length; i++) v[i] -= d * against[i];
    }

    private static double Normalise(double[] v)
    {
        double norm = Math.Sqrt(Dot(v, v));
        if (norm > 0) for (int i = 0; i < v.Length; i++) v[i] /= norm;
        return norm;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void FixSign(double[] projections, int rows, int component)
    {
        int best = 0;
        for (int i = 1; i < rows; i++)
            if (Math.Abs(projections[2 * i + component]) > Math.Abs(projections[2 * best + component])) best = i;
        if (projections[2 * best + component] < 0)
            for (int i = 0; i < rows; i++) projections[2 * i + component] = -projections[2 * i + component];
    }
}
