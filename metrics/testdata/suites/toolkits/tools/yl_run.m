% Yu Liu's MFIF-Metrics (fusion-metrics/ and FR-IQA/), run unmodified under Octave on the suite test triples.
warning('off','all');
root = getenv('YLROOT');
addpath('/work/oracle-23a/octpath'); addpath(genpath([root '/fusion-metrics'])); addpath([root '/FR-IQA']);
pkg load image
dir_ = getenv('SUITEDIR'); names = strsplit(getenv('TRIPLES'), ',');
calls = {'EN', @(a,b,f,r) EN(f,256); 'SD', @(a,b,f,r) SD(f); 'AG', @(a,b,f,r) AG(f); 'SF', @(a,b,f,r) SF(f);
  'EI', @(a,b,f,r) metricsEdge_intensity(f); 'QMI', @(a,b,f,r) metricMI(a,b,f,1); 'QNCIE', @(a,b,f,r) metricWang(a,b,f);
  'QTE', @(a,b,f,r) metricMI(a,b,f,2); 'QLMI', @(a,b,f,r) LMI(a,b,f,1); 'QFMI', @(a,b,f,r) fmi(a,b,f);
  'QSCD', @(a,b,f,r) analysis_SCD(a,b,f); 'QG', @(a,b,f,r) metricXydeas(a,b,f); 'QP', @(a,b,f,r) metricZhao(a,b,f);
  'QW', @(a,b,f,r) metricPeilla(a,b,f,2); 'QC', @(a,b,f,r) metricCvejic(a,b,f,2); 'QY', @(a,b,f,r) metricYang(a,b,f);
  'QCB', @(a,b,f,r) metricChenBlum(a,b,f); 'QCV', @(a,b,f,r) metricChen(a,b,f); 'QVIFF', @(a,b,f,r) VIFF_Public(a,b,f);
  'PSNR', @(a,b,f,r) PSNR(r,f); 'SSIM', @(a,b,f,r) ssim_index(r,f); 'GMSD', @(a,b,f,r) GMSD(r,f)};
fid = fopen(getenv('OUTFILE'), 'w');
fprintf(fid, '{\n');
for t = 1:numel(names)
  n = names{t};
  rd = @(s) double(rgb2gray_matlab(imread([dir_ '/' n '_' s '.png'])));
  A = rd('A'); B = rd('B'); F = rd('F'); R = rd('R');
  fprintf(fid, '  "%s": {', n);
  for k = 1:size(calls,1)
    c0 = cputime; tic;
    try
      v = evalc_quiet(@() calls{k,2}(A,B,F,R)); err = '';
    catch e
      v = NaN; err = strrep(e.message, '"', '''');
    end
    el = toc; cpu = cputime - c0;
    if k > 1, fprintf(fid, ', '); end
    if ~isreal(v), v = real(v); end
    if isnan(v), vs = 'null'; else vs = sprintf('%.17g', v); end
    fprintf(fid, '"%s": {"value": %s, "seconds": %.4f, "cpu_seconds": %.4f, "error": "%s"}', calls{k,1}, vs, el, cpu, err);
  end
  fprintf(fid, '}');
  if t < numel(names), fprintf(fid, ','); end
  fprintf(fid, '\n');
end
fprintf(fid, '}\n'); fclose(fid);
