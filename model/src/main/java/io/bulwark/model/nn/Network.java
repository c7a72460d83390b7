package io.bulwark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.bulwark.model.AdversaryConfig;
import io.bulwark.model.LearnerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classifier as a functional forward pass over {@link Parameters}: hashed embedding (word plus char n-grams,
 * summed and scaled by 1/sqrt(1 + n-grams)) + delta (masked) -> encoder -> masked mean pooling -> linear head.
 *
 * <p>Encoders: {@link LearnerConfig.EncoderType#POOLED} (masked mean pool -> dense -> GELU -> dropout) and
 * {@link LearnerConfig.EncoderType#TRANSFORMER} (learned positions, pre-LN blocks of multi-head self-attention with a
 * key padding mask and a GELU feed-forward layer, residual dropout, final LayerNorm, masked mean pool). All arrays a
 * pass creates live in the manager of the batch's inputs, never in the parameters' manager.
 */
public final class Network {

    /** Standard deviation of the embedding initialisation; the perturbation radius is chosen relative to it. */
    public static final double EMBEDDING_INIT_STD = 0.1;

    /** Name of the hashed embedding table parameter. */
    public static final String EMBEDDING = "embedding";

    private static final float LAYER_NORM_EPS = 1e-5f;

    private final LearnerConfig config;

    /** A network of the configured shape. */
    public Network(LearnerConfig config) {
        this.config = config;
    }

    /** How one parameter starts: embedding (Gaussian, padding row zero), Gaussian, Xavier-uniform, zeros or ones. */
    private enum Init { EMBEDDING, GAUSSIAN, XAVIER, ZEROS, ONES }

    /** One parameter of the layout: name, shape, initialisation (and its standard deviation when Gaussian). */
    private record Spec(String name, Shape shape, Init init, double std) {

        static Spec of(String name, Init init, long... shape) {
            return new Spec(name, new Shape(shape), init, 0);
        }
    }

    /** Every parameter in the order {@link #initialize} draws them: the order fixes the random stream. */
    private List<Spec> layout() {
        int d = config.embeddingDim();
        int h = config.hiddenDim();
        List<Spec> p = new ArrayList<>();
        p.add(new Spec(EMBEDDING, new Shape(config.buckets(), d), Init.EMBEDDING, EMBEDDING_INIT_STD));
        if (config.encoderType() == LearnerConfig.EncoderType.POOLED) {
            p.add(Spec.of("pooled.weight", Init.XAVIER, d, h));
            p.add(Spec.of("pooled.bias", Init.ZEROS, h));
            p.add(Spec.of("head.weight", Init.XAVIER, h, config.outputSize()));
        } else {
            p.add(new Spec("position", new Shape(config.maxLength(), d), Init.GAUSSIAN, 0.02));
            for (int l = 0; l < config.layers(); l++) {
                String pre = "layer" + l + ".";
                p.add(Spec.of(pre + "ln1.gamma", Init.ONES, d));
                p.add(Spec.of(pre + "ln1.beta", Init.ZEROS, d));
                for (String m : new String[] {"query", "key", "value", "output"}) {
                    p.add(Spec.of(pre + "attn." + m + ".weight", Init.XAVIER, d, d));
                    p.add(Spec.of(pre + "attn." + m + ".bias", Init.ZEROS, d));
                }
                p.add(Spec.of(pre + "ln2.gamma", Init.ONES, d));
                p.add(Spec.of(pre + "ln2.beta", Init.ZEROS, d));
                p.add(Spec.of(pre + "ffn.in.weight", Init.XAVIER, d, h));
                p.add(Spec.of(pre + "ffn.in.bias", Init.ZEROS, h));
                p.add(Spec.of(pre + "ffn.out.weight", Init.XAVIER, h, d));
                p.add(Spec.of(pre + "ffn.out.bias", Init.ZEROS, d));
            }
            p.add(Spec.of("final.ln.gamma", Init.ONES, d));
            p.add(Spec.of("final.ln.beta", Init.ZEROS, d));
            p.add(Spec.of("head.weight", Init.XAVIER, d, config.outputSize()));
        }
        p.add(Spec.of("head.bias", Init.ZEROS, config.outputSize()));
        return p;
    }

    /** The name and shape of every parameter, in order, without allocating them. */
    public Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        for (Spec s : layout()) {
            out.put(s.name(), s.shape());
        }
        return out;
    }

    /** Creates freshly initialised parameters in {@code manager} using {@code rng}. */
    public Parameters initialize(NDManager manager, SeededRandom rng) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Spec s : layout()) {
            Shape shape = s.shape();
            NDArray a = switch (s.init()) {
                case EMBEDDING -> {
                    float[] emb = gaussian(rng, shape.size(), s.std());
                    for (int i = 0; i < shape.get(1); i++) {
                        emb[i] = 0f; // bucket 0 is padding
                    }
                    yield manager.create(emb, shape);
                }
                case GAUSSIAN -> manager.create(gaussian(rng, shape.size(), s.std()), shape);
                case XAVIER -> xavier(manager, rng, (int) shape.get(0), (int) shape.get(1));
                case ZEROS -> manager.zeros(shape);
                case ONES -> manager.ones(shape);
            };
            p.put(s.name(), a);
        }
        return new Parameters(p);
    }

    private static float[] gaussian(SeededRandom rng, long n, double std) {
        float[] a = new float[Math.toIntExact(n)];
        rng.fillGaussian(a, std);
        return a;
    }

    private static NDArray xavier(NDManager manager, SeededRandom rng, int in, int out) {
        float[] a = new float[in * out];
        rng.fillUniform(a, Math.sqrt(6.0 / (in + out)));
        return manager.create(a, new Shape(in, out));
    }

    /**
     * The word vectors [B, L, D]: each word's embedding plus its n-gram embeddings, scaled by 1/sqrt(1 + n-grams),
     * zero on padding. With a batch-local embedding ({@link Parameters#withBatchLocalEmbedding}) the lookup goes
     * through the batch's local indices.
     */
    public NDArray embed(Parameters p, BatchInputs in) {
        return Embedding.embedding(in.wordIndex(), wordVectors(p, in), SparseFormat.DENSE).singletonOrThrow();
    }

    /** The vectors of the batch's W distinct words, [W, D] (word 0, padding, is zero); see {@link #embed}. */
    public NDArray wordVectors(Parameters p, BatchInputs in) {
        NDArray table = p.get(EMBEDDING);
        boolean local = p.hasBatchLocalEmbedding();
        // Vectors of the W distinct words first, then placed at their [B, L] positions (word 0 = padding = 0).
        NDArray words = Embedding.embedding(in.wordRows(local), table, SparseFormat.DENSE).singletonOrThrow();
        NDArray ngramRows = in.wordNgramRows(local);
        if (ngramRows != null) {
            // Unused n-gram slots point at row 0, which is zero and never updated: no mask needed.
            NDArray grams = Embedding.embedding(ngramRows, table, SparseFormat.DENSE).singletonOrThrow();
            words = words.add(grams.sum(new int[] {1}));
        }
        return words.mul(in.wordScale());
    }

    /**
     * Logits [B, outputSize] of the network on {@code in} with perturbation {@code delta} (may be null) added to the
     * word vectors on real tokens; {@code dropout} null means evaluation mode. Delta is either per position, [B, L,
     * D], or per distinct word of the batch, [W, D] (row w is added wherever word w occurs, see
     * {@link BatchInputs#wordIndex()}).
     */
    public NDArray forward(Parameters p, BatchInputs in, NDArray delta, DropoutMasks dropout) {
        return fromFirstLayer(p, in, firstLayer(p, in, delta, dropout), dropout);
    }

    /**
     * The first layer after the perturbation, f0(x + delta): for the pooled encoder the dense layer's pre-activation
     * of the pooled vectors, [B, H]; for the Transformer the output of its first block, [B, L, D] (the positions
     * added when it has no block). YOPO's cheap delta steps run this layer only.
     */
    public NDArray firstLayer(Parameters p, BatchInputs in, NDArray delta, DropoutMasks dropout) {
        NDArray x = embed(p, in);
        if (delta != null) {
            NDArray perPosition = delta.getShape().dimension() == 2
                    ? Embedding.embedding(in.wordIndex(), delta, SparseFormat.DENSE).singletonOrThrow() : delta;
            NDArray masked = perPosition.mul(in.mask3());
            if (config.adversary().epsilonScale() == AdversaryConfig.EpsilonScale.EMBEDDING_RMS) {
                masked = masked.mul(embeddingScale(x, in));
            }
            x = x.add(masked);
        }
        if (config.encoderType() == LearnerConfig.EncoderType.POOLED) {
            NDArray pooled = x.sum(new int[] {1}).div(in.lengths());
            return pooled.matMul(p.get("pooled.weight")).add(p.get("pooled.bias"));
        }
        NDArray pos = p.get("position").get(new NDIndex("0:{}", in.length()));
        pos.attach(in.manager());
        NDArray h = x.add(pos);
        return config.layers() == 0 ? h : block(p, in, h, 0, dropout);
    }

    /**
     * The RMS of the batch's word vectors over real tokens, divided by its value at initialisation
     * ({@link #EMBEDDING_INIT_STD}), as a detached scalar array: the unit of delta under
     * {@link AdversaryConfig.EpsilonScale#EMBEDDING_RMS}. Detached, so the perturbation scales with the embeddings but
     * no gradient flows into the scale.
     */
    public static NDArray embeddingScale(NDArray wordVectors, BatchInputs in) {
        NDArray x = wordVectors.stopGradient();
        NDArray meanSquare = x.square().mul(in.mask3()).sum().div(in.mask().sum().maximum(1f).mul((float) x.getShape().get(2)));
        return Scalars.mul(meanSquare.sqrt(), (float) (1.0 / EMBEDDING_INIT_STD));
    }

    /** Logits [B, outputSize] from the first layer's output {@code h0} ({@link #firstLayer}). */
    public NDArray fromFirstLayer(Parameters p, BatchInputs in, NDArray h0, DropoutMasks dropout) {
        NDArray features;
        if (config.encoderType() == LearnerConfig.EncoderType.POOLED) {
            features = drop(dropout, "pooled.hidden", gelu(h0));
        } else {
            NDArray h = h0;
            for (int l = 1; l < config.layers(); l++) {
                h = block(p, in, h, l, dropout);
            }
            h = layerNorm(h, p.get("final.ln.gamma"), p.get("final.ln.beta"));
            features = h.mul(in.mask3()).sum(new int[] {1}).div(in.lengths());
        }
        return features.matMul(p.get("head.weight")).add(p.get("head.bias"));
    }

    /** Transformer block {@code l}: pre-LN self-attention with a key padding mask, then a GELU feed-forward layer. */
    private NDArray block(Parameters p, BatchInputs in, NDArray h, int l, DropoutMasks dropout) {
        int b = in.size();
        int len = in.length();
        int d = config.embeddingDim();
        int heads = config.heads();
        int dh = d / heads;
        float scale = (float) (1.0 / Math.sqrt(dh));
        String pre = "layer" + l + ".";
        NDArray a = layerNorm(h, p.get(pre + "ln1.gamma"), p.get(pre + "ln1.beta"));
        NDArray q = split(linear(a, p, pre + "attn.query"), b, len, heads, dh);
        NDArray k = split(linear(a, p, pre + "attn.key"), b, len, heads, dh);
        NDArray v = split(linear(a, p, pre + "attn.value"), b, len, heads, dh);
        NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale).add(in.attentionBias());
        NDArray ctx = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, len, d);
        NDArray out = h.add(drop(dropout, pre + "attn.out", linear(ctx, p, pre + "attn.output")));
        NDArray f = layerNorm(out, p.get(pre + "ln2.gamma"), p.get(pre + "ln2.beta"));
        f = linear(gelu(linear(f, p, pre + "ffn.in")), p, pre + "ffn.out");
        return out.add(drop(dropout, pre + "ffn.out", f));
    }

    private static NDArray linear(NDArray x, Parameters p, String name) {
        return x.matMul(p.get(name + ".weight")).add(p.get(name + ".bias"));
    }

    private static NDArray split(NDArray x, int b, int len, int heads, int dh) {
        return x.reshape(b, len, heads, dh).transpose(0, 2, 1, 3);
    }

    private static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centered = x.sub(mean);
        NDArray var = centered.square().mean(new int[] {-1}, true);
        return centered.div(var.add(Scalars.of(var, LAYER_NORM_EPS)).sqrt()).mul(gamma).add(beta);
    }

    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);

    /**
     * GELU in its tanh form (Hendrycks and Gimpel 2016), {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))},
     * built from elementary ops: DJL's fused GELU call costs milliseconds per call on the PyTorch CPU engine, even
     * for tiny tensors.
     */
    static NDArray gelu(NDArray x) {
        NDArray inner = Scalars.mul(Scalars.mul(x.mul(x).mul(x), 0.044715f).add(x), GELU_C);
        return Scalars.mul(inner.tanh().add(Scalars.of(x, 1f)).mul(x), 0.5f);
    }

    private static NDArray drop(DropoutMasks dropout, String site, NDArray x) {
        return dropout == null ? x : dropout.apply(site, x);
    }

    /** The configuration this network was built from. */
    public LearnerConfig config() {
        return config;
    }
}
