% Crops the oracle's exact gray inputs (and decoded RGB where present) to
% 96x128 windows and writes them as PNG.
src = '/work/shared/oracle/metrics/inputs';
out = '/tmp/oracle/crops';
T = {'mffw_01', {'A','B','CNN'}, 53, 87, true;
     'stand_01', {'A','B','GFF'}, 81, 65, false;
     'temple',  {'A','B','MSVD'}, 211, 177, false};
for t = 1:rows(T)
  p = T{t,1}; r0 = T{t,3}; c0 = T{t,4};
  for k = 1:3
    n = [p '_' T{t,2}{k}];
    g = imread(fullfile(src, 'gray', [n '_gray.png']));
    imwrite(g(r0:r0+95, c0:c0+127), fullfile(out, [n '_gray.png']));
    if T{t,5}
      c = imread(fullfile(src, 'rgb', [n '_rgb.png']));
      imwrite(c(r0:r0+95, c0:c0+127, :), fullfile(out, [n '_rgb.png']));
    end
  end
end
