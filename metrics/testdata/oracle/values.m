% Runs the unmodified reference metric code on the cropped triples and
% prints one JSON object per triple (values as %.17g). ref/ holds the
% reference .m files named in README.md, plus freqspace.m from this folder.
pkg load image;
addpath('/tmp/oracle/ref'); warning('off', 'all');
d = '/tmp/oracle/crops';
T = {'mffw_01__CNN', 'mffw_01', 'CNN', true; 'stand_01__GFF', 'stand_01', 'GFF', false; 'temple__MSVD', 'temple', 'MSVD', false};
fmt = @(k, v) sprintf('"%s": %.17g', k, v);
for t = 1:rows(T)
  id = T{t,1}; p = T{t,2};
  rd = @(r) double(imread(fullfile(d, [p '_' r '_gray.png'])));
  A = rd('A'); B = rd('B'); F = rd(T{t,3});
  v = {fmt('Q_NMI', metricMI(A,B,F,1)), fmt('Q_TE', metricMI(A,B,F,3)), fmt('Q_G', metricXydeas(A,B,F)), ...
       fmt('Q_CB', metricChenBlum(A,B,F)), fmt('Q_SF', metricZheng(A,B,F)), fmt('Q_Piella', metricPeilla(A,B,F,1))};
  al = {fmt('Q_TE_cvejic_q1.85', metricMI(A,B,F,2)), fmt('Q_W_zl', metricPeilla(A,B,F,2)), fmt('Q_G_yuliu', metricXydeas_YL(A,B,F)), ...
        fmt('Q_ABF_qabf_m', Qabf(A,B,F)), fmt('Q_S_yuliu_uiqi8', metricPeilla_YL(A,B,F,1)), ...
        fmt('Q_W_yuliu_uiqi8', metricPeilla_YL(A,B,F,2)), fmt('Q_E_yuliu_uiqi8', metricPeilla_YL(A,B,F,3))};
  a = normalize1(A); b = normalize1(B); f = normalize1(F);
  [miAF, hAF] = mutual_info(a, f); [miBF, hBF] = mutual_info(b, f);
  [~, ~, hA] = mutual_info(a, a); [~, ~, hB] = mutual_info(b, b); [~, ~, hF] = mutual_info(f, f);
  in = {fmt('MI_AF', miAF), fmt('MI_BF', miBF), fmt('H_A', hA), fmt('H_B', hB), fmt('H_F', hF), ...
        fmt('H_AF_joint', hAF), fmt('H_BF_joint', hBF), ...
        fmt('tsallis_AF_q0.43137', tsallis(a,f,0.43137)), fmt('tsallis_BF_q0.43137', tsallis(b,f,0.43137)), ...
        fmt('tsallis_AB_q0.43137', tsallis(a,b,0.43137)), fmt('tsallis_AF_q1.85', tsallis(a,f,1.85)), fmt('tsallis_BF_q1.85', tsallis(b,f,1.85))};
  printf('{"id": "%s", "values": {%s}, "alternates": {%s}, "intermediates": {%s}}\n', id, strjoin(v, ', '), strjoin(al, ', '), strjoin(in, ', '));
end
